import type { FastifyInstance, FastifyReply } from 'fastify';
import { isReport, REPORTS, runReport, type EntityQuery, type ReportName, type ReportRange } from '../engine/reporting.js';
import { ErrorCodes, UserError } from '../errors.js';
import type { ApiPluginOptions } from './xml-status.js';

/** AsyncOS words an error's status with Python's table of HTTP reasons (`404 = Nothing matches the given URI.`). */
const EXPLANATION: Record<number, string> = {
  400: '400 = Bad request syntax or unsupported method.',
  404: '404 = Nothing matches the given URI.',
  503: '503 = The server cannot process the request due to a high load.',
};

/** AsyncOS's error envelope, `{"error":{"message","code","explanation"}}`, with the HTTP status it names. */
function sendError(reply: FastifyReply, status: 400 | 404 | 503, message: string): FastifyReply {
  return reply.code(status).send({ error: { message, code: String(status), explanation: EXPLANATION[status] } });
}

/** A bad request, answered with AsyncOS's envelope and the status it comes with. */
class ApiRefusal extends Error {
  constructor(
    readonly status: 400 | 404,
    message: string,
  ) {
    super(message);
  }
}

/** A value the client sent, quoted and cut short, for a message that names it. */
const shown = (value: unknown) => JSON.stringify(String(value).slice(0, 64));

const DATE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A report's startDate or endDate. AsyncOS takes `YYYY-MM-DDThh:00:00.000Z` for reports: whole
 * hours. Seconds are refused with its documented message; minutes with the same words for
 * minutes (its reports' rule, its message not seen). A `+hh:mm` offset is taken as well as `Z`
 * (Splunk SOAR's app sends `+00:00`).
 */
function reportDate(name: 'startDate' | 'endDate', value: unknown): number {
  if (typeof value !== 'string' || value === '') throw new ApiRefusal(400, `${name} is required: a date as YYYY-MM-DDThh:00:00.000Z.`);
  // a `+00:00` written into a URL unencoded arrives as ` 00:00`
  const m = DATE.exec(value.replace(/ (\d{2}:\d{2})$/, '+$1'));
  const ms = m ? Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:00${m[8]}`) : NaN;
  const calendar = m && new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!)).getUTCDate() === +m[3]!;
  if (!m || Number.isNaN(ms) || !calendar || +m[4]! > 23 || +m[5]! > 59) throw new ApiRefusal(400, `${name} ${shown(value)} is not a date as YYYY-MM-DDThh:00:00.000Z.`);
  if (Number(m[6] ?? 0) !== 0 || Number(m[7] ?? 0) !== 0) throw new ApiRefusal(404, 'startDate and endDate attribute supports only 00 seconds and 000 microseconds.');
  if (m[5] !== '00') throw new ApiRefusal(404, 'startDate and endDate attribute supports only 00 minutes, 00 seconds and 000 microseconds.');
  return ms;
}

/** A count parameter: digits only, within reason. */
function count(name: string, value: unknown, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value) || Number(value) < min) throw new ApiRefusal(400, `${name} must be a whole number of at least ${min}; got ${shown(value)}.`);
  return Number(value);
}

/** The parameters that must come together, as the API guide says (orderBy with orderDir, offset with limit, the three filter ones). */
function together(q: Record<string, unknown>, names: string[]): boolean {
  const given = names.filter((n) => q[n] !== undefined);
  if (given.length > 0 && given.length < names.length) throw new ApiRefusal(400, `${names.join(', ')} must be given together; missing ${names.filter((n) => q[n] === undefined).join(', ')}.`);
  return given.length === names.length;
}

function one(q: Record<string, unknown>, name: string): string | undefined {
  const v = q[name];
  if (Array.isArray(v)) throw new ApiRefusal(400, `${name} is given more than once.`);
  return typeof v === 'string' ? v : undefined;
}

/** The query string of a report request, checked: the range, and how entities are ordered, cut and filtered. */
function reportQuery(report: ReportName, raw: unknown): { range: ReportRange; query: EntityQuery } {
  const q = (raw ?? {}) as Record<string, unknown>;
  for (const name of ['device_type', 'startDate', 'endDate', 'orderBy', 'orderDir', 'top', 'offset', 'limit', 'filterBy', 'filterValue', 'filterOperator']) one(q, name);
  const deviceType = one(q, 'device_type');
  if (deviceType !== undefined && deviceType !== 'esa') throw new ApiRefusal(400, `device_type ${shown(deviceType)} is not valid: this appliance reports as esa.`);
  const since = reportDate('startDate', q.startDate);
  const until = reportDate('endDate', q.endDate);
  if (until <= since) throw new ApiRefusal(400, 'endDate must be later than startDate.');
  const query: EntityQuery = {};
  if (together(q, ['orderBy', 'orderDir'])) {
    const dir = one(q, 'orderDir')!;
    if (dir !== 'asc' && dir !== 'desc') throw new ApiRefusal(400, `orderDir ${shown(dir)} is not valid: asc or desc.`);
    query.orderBy = one(q, 'orderBy');
    query.orderDir = dir;
  }
  query.top = count('top', q.top, 1);
  if (together(q, ['offset', 'limit'])) {
    query.offset = count('offset', q.offset, 0);
    query.limit = count('limit', q.limit, 1);
  }
  if (together(q, ['filterBy', 'filterValue', 'filterOperator'])) {
    const entity = REPORTS[report].entity;
    const [by, operator] = [one(q, 'filterBy')!, one(q, 'filterOperator')!];
    if (entity !== null && by !== entity) throw new ApiRefusal(400, `filterBy ${shown(by)} is not valid for ${report}: ${entity}.`);
    if (operator !== 'begins_with' && operator !== 'is') throw new ApiRefusal(400, `filterOperator ${shown(operator)} is not valid: begins_with or is.`);
    query.filter = { value: one(q, 'filterValue')!, operator };
  }
  return { range: { since, until }, query };
}

const text = (description: string) => ({ type: 'string', description });

/**
 * What the OpenAPI description (@fastify/swagger, registered by the server) shows of a report
 * route. Its parameters are checked by the handler, in AsyncOS's words; fastify's own validation
 * is only attached (attachValidation), never answered.
 */
function reportSchema(withCounter: boolean) {
  const reports = Object.keys(REPORTS).join(', ');
  return {
    tags: ['reporting'],
    summary: withCounter ? 'One counter of a report over a time range' : 'A report over a time range',
    description:
      `Reports: ${reports}. mail_destination_domain_detail lists each destination, the.tdc.queue among them. ` +
      'resultSet: a list of single-counter objects (a per-destination report: a list of {destination: value} per counter); for one counter, its object alone.',
    params: {
      type: 'object',
      properties: { report: text(reports), ...(withCounter ? { counter: text('a counter of the report (delivered, total_recipients, ...)') } : {}) },
    },
    querystring: {
      type: 'object',
      properties: {
        device_type: text('esa'),
        startDate: text('YYYY-MM-DDThh:00:00.000Z (whole hours)'),
        endDate: text('YYYY-MM-DDThh:00:00.000Z, later than startDate'),
        orderBy: text('a counter, with orderDir'),
        orderDir: text('asc or desc, with orderBy'),
        top: text('the first N destinations'),
        offset: text('with limit'),
        limit: text('with offset'),
        filterBy: text('domain, with filterValue and filterOperator'),
        filterValue: text('a destination or its beginning'),
        filterOperator: text('begins_with or is'),
      },
      required: ['startDate', 'endDate'],
    },
  };
}

/**
 * `GET /esa/api/v2.0/reporting/{report}` and `/reporting/{report}/{counter}` for
 * `mail_incoming_traffic_summary` and `mail_destination_domain_detail` (the Outgoing
 * Destinations report, where the.tdc.queue is a destination), shaped as the appliance answers:
 * `{"meta":{"totalCount"},"data":{"type","resultSet"}}`, a summary's resultSet a list of
 * single-counter objects (one object for one counter), a per-destination report's the same with
 * a list of `{destination: value}` per counter. The counts are the engine's (reporting.ts).
 */
export async function reportingPlugin(app: FastifyInstance, options: ApiPluginOptions): Promise<void> {
  const { appliance, authenticate } = options;
  const handler = async (request: { params: unknown; query: unknown }, reply: FastifyReply) => {
    const { report, counter } = request.params as { report: string; counter?: string };
    if (!isReport(report)) return sendError(reply, 404, 'Not Found.');
    if (counter !== undefined && !REPORTS[report].counters.includes(counter)) return sendError(reply, 404, 'Not Found.');
    const tracking = appliance.live?.tracking;
    if (!tracking) return sendError(reply, 503, 'The mail system is not running.');
    try {
      const { range, query } = reportQuery(report, request.query);
      const result = runReport(await tracking.reporting(), report, range, counter ?? null, query);
      const totalCount = result.kind === 'summary' ? -1 : result.totalCount;
      const sets = result.kind === 'summary' ? result.counters.map(([c, v]) => ({ [c]: v })) : result.counters.map(([c, rows]) => ({ [c]: rows.map(([entity, v]) => ({ [entity]: v })) }));
      return reply.send({ meta: { totalCount }, data: { type: report, resultSet: counter === undefined ? sets : sets[0] } });
    } catch (error) {
      if (error instanceof ApiRefusal) return sendError(reply, error.status, error.message);
      if (error instanceof UserError) return sendError(reply, error.code === ErrorCodes.notFound ? 404 : 400, error.message);
      throw error;
    }
  };
  app.get('/esa/api/v2.0/reporting/:report', { preHandler: authenticate, schema: reportSchema(false), attachValidation: true }, handler);
  app.get('/esa/api/v2.0/reporting/:report/:counter', { preHandler: authenticate, schema: reportSchema(true), attachValidation: true }, handler);
}
