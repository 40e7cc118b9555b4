import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import type { Appliance } from '../engine/appliance.js';
import { statusDocument, type StatusDocument } from '../engine/status-document.js';
import { elapsedText } from '../engine/time-format.js';
import { ErrorCodes, UserError } from '../errors.js';

/** The preHandler the API server supplies: it lets an authenticated request through, or replies 401 itself. */
export type Authenticate = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

export interface ApiPluginOptions {
  appliance: Appliance;
  authenticate: Authenticate;
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * A value for an attribute of a document declared ISO-8859-1: markup characters as entities,
 * characters beyond Latin-1 as character references, characters XML 1.0 cannot hold at all
 * (controls, lone surrogates) as `?`.
 */
export function xmlAttribute(value: string | number): string {
  let out = '';
  for (const ch of String(value)) {
    const code = ch.codePointAt(0)!;
    if (ENTITIES[ch]) out += ENTITIES[ch];
    else if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || (code >= 0xd800 && code <= 0xdfff) || code === 0xfffe || code === 0xffff) out += '?';
    else if (code < 0x20 || code > 0xff) out += `&#${code};`;
    else out += ch;
  }
  return out;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `20170329115551`: the appliance's local time, as the page's timestamps are written. */
export function xmlTimestamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
}

/** One empty element with its attributes, in the given order. */
function element(indent: string, name: string, attributes: [string, string | number][]): string {
  return `${indent}<${name}${attributes.map(([k, v]) => ` ${k}="${xmlAttribute(v)}"`).join('')} />`;
}

/** The document the exporters parse: the elements, attributes and order of the appliance's page (ecosystem.md §4). */
export function renderXmlStatus(doc: StatusDocument): string {
  const old = doc.oldestMessage;
  return [
    '<?xml version="1.0" encoding="ISO-8859-1" standalone="yes"?>',
    '',
    `<status build="${xmlAttribute(doc.build)}" hostname="${xmlAttribute(doc.hostname)}" timestamp="${xmlTimestamp(doc.now)}">`,
    element('  ', 'birth_time', [['timestamp', `${xmlTimestamp(doc.upSince)} (${elapsedText(doc.now - doc.upSince)})`]]),
    element('  ', 'last_counter_reset', [['timestamp', doc.lastCounterReset === null ? '' : xmlTimestamp(doc.lastCounterReset)]]),
    element('  ', 'system', [['status', doc.systemStatus]]),
    element('  ', 'oldest_message', [
      ['secs', old === null ? '' : old.seconds],
      ['mid', old?.mid ?? ''],
    ]),
    '  <features>',
    ...doc.features.map((f) =>
      element('    ', 'feature', [
        ['name', f.name],
        ['time_remaining', f.timeRemaining],
      ]),
    ),
    '  </features>',
    '  <counters>',
    ...doc.counters.map((c) =>
      element('    ', 'counter', [
        ['name', c.name],
        ['reset', c.reset],
        ['uptime', c.uptime],
        ['lifetime', c.lifetime],
      ]),
    ),
    '  </counters>',
    element('  ', 'current_ids', [
      ['message_id', doc.currentIds.messageId],
      ['injection_conn_id', doc.currentIds.injectionConnId],
      ['delivery_conn_id', doc.currentIds.deliveryConnId],
    ]),
    '  <rates>',
    ...doc.rates.map((r) =>
      element('    ', 'rate', [
        ['name', r.name],
        ['last_1_min', r.last1],
        ['last_5_min', r.last5],
        ['last_15_min', r.last15],
      ]),
    ),
    '  </rates>',
    '  <gauges>',
    ...doc.gauges.map((g) =>
      element('    ', 'gauge', [
        ['name', g.name],
        ['current', g.current],
      ]),
    ),
    '  </gauges>',
    '</status>',
    '',
  ].join('\n');
}

/**
 * `GET /xml/status` (HTTP Basic, as the exporters and the Zabbix template send it): the running
 * engine's status as the legacy XML page, encoded ISO-8859-1 as its declaration says.
 */
export async function xmlStatusPlugin(app: FastifyInstance, options: ApiPluginOptions): Promise<void> {
  const { appliance, authenticate } = options;
  // what the OpenAPI description shows (@fastify/swagger's keys: the type knows them once it is loaded)
  const schema = { tags: ['monitoring'], summary: 'The legacy XML status page (HTTP Basic): counters, rates and gauges as `status detail` shows them' } as FastifySchema;
  app.get('/xml/status', { preHandler: authenticate, schema }, async (_request, reply) => {
    let text: string;
    try {
      text = renderXmlStatus(statusDocument(appliance));
    } catch (error) {
      // served only by a running appliance: between its engine's stop and the server's
      if (error instanceof UserError && error.code === ErrorCodes.unavailable) return reply.code(503).type('text/plain; charset=utf-8').send(`${error.message}\n`);
      throw error;
    }
    return reply.type('text/xml; charset=ISO-8859-1').header('Cache-Control', 'no-store').send(Buffer.from(text, 'latin1'));
  });
}
