import type { FastifyInstance } from 'fastify';
import type { Appliance } from '../engine/appliance.js';
import { applianceIdentity } from '../engine/appliance-identity.js';
import { trackingOf, type TrackedMessage, type TrackingCriteria } from '../engine/message-tracking.js';
import { trackedFacts } from '../engine/tracking-summary.js';
import { trackingDate } from '../engine/time-format.js';
import type { ApiPluginOptions } from './auth.js';
import { ApiError } from './envelope.js';
import { API_BASE } from './login.js';

type Query = Record<string, string | string[] | undefined>;

/** The most a page may hold (stix-shifter recommends at most 800 a request). */
export const MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 100;
const MAX_VALUE = 256;
const DATE_FORM = 'YYYY-MM-DDThh:mm:00.000Z';

/** AsyncOS's own answer to a time with seconds: these words, with code 404 (Cisco-Email-Security/docs api.md). */
export const WHOLE_MINUTES = 'startDate and endDate attribute supports only 00 seconds and 000 microseconds.';

/**
 * The query's parameters by lower-case name: AsyncOS's names mix `envelopeSenderfilterOperator`
 * (tracking) and `envelopeRecipientFilterOperator` (quarantine), and clients copy either.
 */
function parameters(query: Query): Map<string, string | string[]> {
  const out = new Map<string, string | string[]>();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) out.set(k.toLowerCase(), v);
  return out;
}

function one(q: Map<string, string | string[]>, name: string): string | undefined {
  const v = q.get(name.toLowerCase());
  if (Array.isArray(v)) throw new ApiError(`${name} is given more than once.`);
  return v;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** A startDate or endDate as AsyncOS takes it: whole minutes (`2024-02-16T21:19:00.000Z`). */
export function parseApiDate(name: string, value: string | undefined): number {
  if (value === undefined || value.trim() === '') throw new ApiError(`startDate and endDate are required, in the form ${DATE_FORM}.`);
  // a `+00:00` typed raw in a URL arrives as a space
  const text = value.trim().replace(/ (\d{2}:?\d{2})$/, '+$1');
  const m = DATE.exec(text);
  if (!m) throw new ApiError(`${name} ${JSON.stringify(value.slice(0, 64))} is not a date in the form ${DATE_FORM}.`);
  if ((m[6] ?? '00') !== '00' || /[1-9]/.test(m[7] ?? '')) throw new ApiError(WHOLE_MINUTES, 404);
  const zone = m[8] === undefined || m[8] === 'Z' ? 'Z' : m[8].length === 5 ? `${m[8].slice(0, 3)}:${m[8].slice(3)}` : m[8];
  const [month, day, hour, minute] = [Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])];
  const t = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:00.000${zone}`);
  if (Number.isNaN(t) || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || new Date(Date.UTC(Number(m[1]), month - 1, day)).getUTCDate() !== day) {
    throw new ApiError(`${name} ${JSON.stringify(value.slice(0, 64))} is not a date in the form ${DATE_FORM}.`);
  }
  return t;
}

function whole(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d{1,12}$/.test(value.trim())) throw new ApiError(`${name} must be a whole number from ${min} to ${max}.`);
  const n = Number(value.trim());
  if (n < min || n > max) throw new ApiError(`${name} must be a whole number from ${min} to ${max}.`);
  return n;
}

/** The filter operators of AsyncOS's tracking and quarantine searches. */
export const OPERATORS = ['is', 'begins_with', 'ends_with', 'contains', 'does_not_contain'] as const;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function pattern(operator: string, value: string): RegExp {
  const v = escape(value);
  switch (operator) {
    case 'is':
      return new RegExp(`^${v}$`, 'i');
    case 'begins_with':
      return new RegExp(`^${v}`, 'i');
    case 'ends_with':
      return new RegExp(`${v}$`, 'i');
    case 'contains':
      return new RegExp(v, 'i');
    default:
      return new RegExp(`^(?![\\s\\S]*${v})`, 'i');
  }
}

/** The search filters: a parameter pair each, and the criterion of the index it sets. */
const FILTERS = [
  { prefix: 'envelopeSender', key: 'from' },
  { prefix: 'envelopeRecipient', key: 'to' },
  { prefix: 'subject', key: 'subject' },
] as const;

/** Parameters of AsyncOS's search that segsim's tracking cannot answer: refused by name rather than ignored. */
const NOT_TRACKED = [
  'fileSha256',
  'attachmentNameOperator',
  'attachmentNameValue',
  'senderIp',
  'spamPositive',
  'quarantinedAsSpam',
  'virusPositive',
  'containedMaliciousUrls',
  'macroFileTypesDetected',
  'urlReputation',
  'quarantineStatus',
];

export interface MessagesQuery {
  criteria: TrackingCriteria;
  offset: number;
  limit: number;
  /** messageDirection=outgoing: the lab's listener takes incoming mail only */
  none: boolean;
}

/** The query of `message-tracking/messages`, checked as AsyncOS does; an ApiError names the first problem. */
export function parseMessagesQuery(query: Query, appliance: Appliance): MessagesQuery {
  const q = parameters(query);
  const since = parseApiDate('startDate', one(q, 'startDate'));
  const end = parseApiDate('endDate', one(q, 'endDate'));
  if (since > end) throw new ApiError('startDate must not be after endDate.');
  const offset = whole('offset', one(q, 'offset'), 0, 0, 1e9);
  const limit = whole('limit', one(q, 'limit'), DEFAULT_LIMIT, 1, MAX_LIMIT);
  const host = one(q, 'ciscoHost');
  const hostname = appliance.configuration.current.hostname;
  if (host !== undefined && host !== 'All_Hosts' && host.toLowerCase() !== hostname.toLowerCase())
    throw new ApiError(`ciscoHost ${JSON.stringify(host.slice(0, 64))} is not a host of this appliance: All_Hosts or ${hostname}.`);
  const option = one(q, 'searchOption');
  if (option !== undefined && option !== 'messages') throw new ApiError(`searchOption ${JSON.stringify(option.slice(0, 64))} is not supported: messages.`);
  for (const name of NOT_TRACKED) if (q.has(name.toLowerCase())) throw new ApiError(`${name} cannot be searched: segsim's message tracking does not record it.`);
  // the range is whole minutes: endDate is the first minute not searched
  const criteria: TrackingCriteria = { since, until: end - 1, received: true };
  for (const { prefix, key } of FILTERS) {
    const operator = one(q, `${prefix}filterOperator`);
    const value = one(q, `${prefix}filterValue`);
    if ((operator === undefined || operator === '') !== (value === undefined || value === '')) throw new ApiError(`${prefix}filterOperator and ${prefix}filterValue go together.`);
    if (operator === undefined || value === undefined || value === '') continue;
    if (!(OPERATORS as readonly string[]).includes(operator)) throw new ApiError(`${prefix}filterOperator ${JSON.stringify(operator.slice(0, 64))} is not one of ${OPERATORS.join(', ')}.`);
    if (value.length > MAX_VALUE) throw new ApiError(`${prefix}filterValue is longer than ${MAX_VALUE} characters.`);
    criteria[key] = pattern(operator, value);
  }
  const mid = one(q, 'ciscoMid');
  if (mid !== undefined && mid !== '') {
    if (!/^\d{1,15}$/.test(mid)) throw new ApiError('ciscoMid must be a message ID (MID), a number.');
    criteria.mid = Number(mid);
    delete criteria.received;
  }
  const messageId = one(q, 'messageIdHeader');
  if (messageId !== undefined && messageId !== '') criteria.messageId = pattern('is', messageId.slice(0, MAX_VALUE));
  const direction = one(q, 'messageDirection');
  if (direction !== undefined && direction !== '' && direction !== 'incoming' && direction !== 'outgoing') throw new ApiError('messageDirection must be incoming or outgoing.');
  return { criteria, offset, limit, none: direction === 'outgoing' };
}

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1);
const byMid = <T>(mid: number, value: T) => ({ [String(mid)]: value });

/** One result of `message-tracking/messages`: the attributes, names and order of AsyncOS's answers (XSOAR's fixture). */
async function messageAttributes(appliance: Appliance, m: TrackedMessage, serial: string): Promise<{ attributes: Record<string, unknown> }> {
  const tracking = await trackingOf(appliance);
  const { events } = await tracking.events(m.mid);
  const facts = trackedFacts(m.mid, events);
  return {
    attributes: {
      hostName: appliance.configuration.current.hostname,
      friendly_from: [m.sender],
      isCompleteData: 'N/A',
      messageStatus: byMid(m.mid, facts.status),
      recipientMap: byMid(m.mid, m.recipients),
      senderIp: facts.senderIp,
      mailPolicy: facts.policies,
      senderGroup: facts.senderGroup,
      subject: m.subject,
      dcid: facts.dcids,
      mid: [m.mid],
      senderDomain: domainOf(m.sender),
      finalSubject: byMid(m.mid, m.subject),
      direction: m.kind === 'journal' ? 'outgoing' : 'incoming',
      icid: facts.icids[0] ?? 0,
      morDetails: {},
      replyTo: 'N/A',
      timestamp: trackingDate(m.receivedAt),
      messageID: byMid(m.mid, m.messageId),
      // the appliance's engine verdict codes are not public: none is made up
      verdictChart: {},
      recipient: m.recipients,
      sender: m.sender,
      serialNumber: serial,
      allIcid: facts.icids,
      sbrs: 'None',
    },
  };
}

const kilobytes = (bytes: number) => `${(bytes / 1024).toFixed(2)} (KB)`;

/** `message-tracking/details` of some MIDs (the first is the message; the others' events join its summary). */
async function messageDetails(appliance: Appliance, mids: number[]): Promise<Record<string, unknown>> {
  const tracking = await trackingOf(appliance);
  const found: TrackedMessage[] = [];
  for (const mid of mids) found.push(...(await tracking.search({ mid })));
  if (found.length === 0) throw new ApiError(`Not Found: message tracking has no message with MID ${mids.join(', ')}.`, 404);
  const first = found[0]!;
  const all = await Promise.all(found.map((m) => tracking.events(m.mid)));
  const facts = trackedFacts(first.mid, all[0]!.events);
  const sentences = all.flatMap((e) => e.sentences).sort((a, b) => a.at - b.at);
  const hostname = appliance.configuration.current.hostname;
  return {
    sdrAge: 'N/A',
    attachments: [],
    hostName: `${hostname} (${appliance.configuration.current.listener.bindAddress})`,
    direction: first.kind === 'journal' ? 'outgoing' : 'incoming',
    isCompleteData: true,
    messageStatus: facts.status,
    mailPolicy: facts.policies,
    senderGroup: facts.senderGroup,
    subject: first.subject,
    showSummaryTimeBox: true,
    sdrCategory: 'N/A',
    mid: found.map((m) => m.mid),
    sendingHostSummary: { reverseDnsHostname: 'unknown (unverified)', ipAddress: facts.senderIp, sbrsScore: 'None' },
    ampTgCategories: [],
    smtpAuthId: '',
    midHeader: first.messageId,
    timestamp: trackingDate(first.receivedAt),
    showDLP: false,
    messageSize: kilobytes(facts.size),
    sdrThreatLevels: 'N/A',
    sdrReputation: 'N/A',
    showURL: false,
    recipient: [...new Set(found.flatMap((m) => m.recipients))],
    sender: first.sender,
    showAMP: false,
    summary: sentences.map((s, i) => ({ timestamp: trackingDate(s.at), description: s.text, lastEvent: i === sentences.length - 1 })),
    allIcid: facts.icids,
    headerFrom: first.sender,
  };
}

/** The MIDs of `mid` (repeated, or comma-separated), at most 100. */
function midsOf(value: string | string[] | undefined): number[] {
  const list = (Array.isArray(value) ? value : value === undefined ? [] : [value]).flatMap((v) => v.split(',')).map((v) => v.trim());
  if (list.length === 0 || list.every((v) => v === '')) throw new ApiError('mid is required: the message ID (MID) of a message, such as mid=42.');
  if (list.length > 100) throw new ApiError('mid names more than 100 messages.');
  for (const v of list) if (!/^\d{1,15}$/.test(v)) throw new ApiError(`mid ${JSON.stringify(v.slice(0, 64))} is not a message ID (MID), a number.`);
  return [...new Set(list.map(Number))];
}

const queryDoc = (names: string[]) => ({ type: 'object', properties: Object.fromEntries(names.map((n) => [n, { type: 'string' }])) }) as const;

/**
 * `GET /esa/api/v2.0/message-tracking/messages` and `/details`: searches of the engine's tracking
 * index (a page of it: never a walk of the events), each result's events read from the store by
 * position, in the attribute names of AsyncOS's answers.
 */
export function registerTracking(app: FastifyInstance, { appliance, authenticate }: ApiPluginOptions): void {
  const serial = () => applianceIdentity(appliance.paths, appliance.clock.now()).serial;
  app.get(
    `${API_BASE}/message-tracking/messages`,
    {
      preHandler: authenticate,
      schema: {
        summary: 'Search message tracking',
        description: `startDate and endDate (${DATE_FORM}, whole minutes) are required; offset and limit (at most ${MAX_LIMIT}) page the results, newest first; each filter is an operator (${OPERATORS.join(', ')}) and a value.`,
        tags: ['message-tracking'],
        querystring: queryDoc([
          'startDate',
          'endDate',
          'offset',
          'limit',
          'ciscoHost',
          'searchOption',
          'envelopeSenderfilterOperator',
          'envelopeSenderfilterValue',
          'envelopeRecipientfilterOperator',
          'envelopeRecipientfilterValue',
          'subjectfilterOperator',
          'subjectfilterValue',
          'ciscoMid',
          'messageIdHeader',
          'messageDirection',
        ]),
      },
      attachValidation: true,
    },
    async (request) => {
      const query = parseMessagesQuery(request.query as Query, appliance);
      if (query.none) return { meta: { num_bad_records: 0, totalCount: 0 }, data: [] };
      const tracking = await trackingOf(appliance);
      const { total, messages } = await tracking.page(query.criteria, query.offset, query.limit);
      const sn = serial();
      const data = await Promise.all(messages.map((m) => messageAttributes(appliance, m, sn)));
      return { meta: { num_bad_records: 0, totalCount: total }, data };
    },
  );

  app.get(
    `${API_BASE}/message-tracking/details`,
    {
      preHandler: authenticate,
      schema: {
        summary: 'A message’s details and its summary of events (the TDC line among them)',
        tags: ['message-tracking'],
        querystring: queryDoc(['mid', 'icid', 'serialNumber', 'startDate', 'endDate']),
      },
      attachValidation: true,
    },
    async (request) => {
      const q = parameters(request.query as Query);
      const mids = midsOf(q.get('mid'));
      const sn = serial();
      const given = one(q, 'serialNumber');
      if (given !== undefined && given !== '' && given !== sn) throw new ApiError(`Not Found: serialNumber ${JSON.stringify(given.slice(0, 64))} is not this appliance's (${sn}).`, 404);
      const messages = await messageDetails(appliance, mids);
      const icid = one(q, 'icid');
      if (icid !== undefined && icid !== '') {
        if (!/^\d{1,15}$/.test(icid)) throw new ApiError('icid must be an injection connection ID (ICID), a number.');
        if (!(messages.allIcid as number[]).includes(Number(icid))) throw new ApiError(`Not Found: message ${mids.join(', ')} did not come on ICID ${icid}.`, 404);
      }
      return { data: { messages } };
    },
  );
}
