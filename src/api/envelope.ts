import type { FastifyReply } from 'fastify';

/**
 * The explanation AsyncOS's API gives for each status: the `code = description.` of Python's
 * http.server status table, as in the documented 401 answer ("401 = No permission -- see
 * authorization schemes."). The API guide shows the 401 and the 404 message; the others follow
 * the same table (fixtures/fidelity.md, "AsyncOS API").
 */
const STATUS: Record<number, [message: string, explanation: string]> = {
  400: ['Bad Request.', 'Bad request syntax or unsupported method'],
  401: ['Unauthorized.', 'No permission -- see authorization schemes'],
  403: ['Forbidden.', 'Request forbidden -- authorization will not help'],
  404: ['Not Found.', 'Nothing matches the given URI'],
  405: ['Method Not Allowed.', 'Specified method is invalid for this resource'],
  408: ['Request Timeout.', 'Request timed out; try again later'],
  413: ['Request Entity Too Large.', 'Entity is too large'],
  415: ['Unsupported Media Type.', 'Entity body in unsupported format'],
  431: ['Request Header Fields Too Large.', 'The server refused this request because the request header fields are too large'],
  500: ['Internal Server Error.', 'Server got itself in trouble'],
  503: ['Service Unavailable.', 'The server cannot process the request due to a high load'],
};

/** AsyncOS's error envelope: `{"error":{"message","code","explanation"}}`, the code a string. */
export interface ErrorEnvelope {
  error: { message: string; code: string; explanation: string };
}

/** The envelope of a status; `message` replaces the status's own (`Unauthorized.`) with what was wrong. */
export function errorEnvelope(status: number, message?: string): ErrorEnvelope {
  const [standard, explanation] = STATUS[status] ?? STATUS[status >= 500 ? 500 : 400]!;
  return { error: { message: message ?? standard, code: String(status), explanation: `${status} = ${explanation}.` } };
}

/**
 * The envelope as a whole HTTP response, for a request Node's parser refused before fastify saw it
 * (headers or URL too large, a request that is not HTTP, one that took too long): the connection
 * closes after it.
 */
export function rawErrorResponse(status: number, message?: string): string {
  const body = JSON.stringify(errorEnvelope(status, message));
  const reason = (STATUS[status]?.[0] ?? 'Bad Request.').replace(/\.$/, '');
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/** Answers with the envelope; returns the reply (a handler returns it). */
export function sendError(reply: FastifyReply, status: number, message?: string): FastifyReply {
  return reply.code(status).type('application/json').send(errorEnvelope(status, message));
}

/**
 * An error a handler throws for the client's mistake: answered in the envelope with its status
 * (400 unless given) and its message, naming what was wrong.
 */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}
