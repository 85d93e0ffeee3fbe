// Errors Fastify and Node answer before any route or hook runs (a bad URL, an id over the length limit, an unparsable request), in our {"error": ...} shape with CORS headers.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/** Longest path parameter (an id) routed; longer ones get 414. Ids created through the API are at most 100 characters. */
export const MAX_PARAM_LENGTH = 1000;

/** The CORS headers @fastify/cors would have added: these answers are sent before its hook runs. */
function corsHeaders(corsOrigins: readonly string[], origin: string | undefined): Record<string, string> {
  if (corsOrigins.includes('*')) return { 'access-control-allow-origin': '*' };
  if (origin && corsOrigins.includes(origin)) return { 'access-control-allow-origin': origin, vary: 'Origin' };
  return {};
}

/** Fastify's `frameworkErrors`: a URL with an invalid escape (400) or an over-long parameter (414). */
export function frameworkErrors(corsOrigins: readonly string[]) {
  return (err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const tooLong = err.code === 'FST_ERR_MAX_PARAM_LENGTH';
    const origin = typeof request.headers.origin === 'string' ? request.headers.origin : undefined;
    void reply
      .code(tooLong ? 414 : 400)
      .headers(corsHeaders(corsOrigins, origin))
      .send({
        error: tooLong ? `An id in the URL is longer than ${MAX_PARAM_LENGTH} characters` : 'The URL holds an invalid percent-escape',
      });
  };
}

const CLIENT_ERRORS: Record<string, [number, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'The request was not received in time'],
  HPE_HEADER_OVERFLOW: [431, 'The request headers are too large'],
  HPE_INVALID_METHOD: [400, 'Unknown HTTP method (methods are upper-case: GET, POST, ...)'],
};

/**
 * Node's `clientError` (a request its HTTP parser refused: a lower-case method, headers over
 * the limit, a body that never came): the answer is written to the socket, then it is closed.
 * The request's headers were not parsed, so the Origin is unknown: `*` when CORS is open.
 */
export function clientErrorHandler(corsOrigins: readonly string[]) {
  return (err: NodeJS.ErrnoException, socket: Socket) => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const [status, message] = CLIENT_ERRORS[err.code ?? ''] ?? [400, 'The request is not valid HTTP/1.1'];
    const body = JSON.stringify({ error: message });
    const cors = corsOrigins.includes('*') ? 'Access-Control-Allow-Origin: *\r\n' : '';
    // As Node's own handler: no answer of ours once a response has started on this socket (a request timing out mid-answer).
    const answering = (socket as Socket & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
    if (socket.writable && !answering?.headersSent) {
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n${cors}` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  };
}
