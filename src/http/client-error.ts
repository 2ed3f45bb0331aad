import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { HeadersTooLarge, RequestMalformed, RequestTimeout, type ServiceError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { errorBody } from './errors.js';

/** What Node's HTTP server passes to `clientError`: an error with a parser code (`HPE_…`) or `ERR_HTTP_…`. */
type ClientError = Error & { code?: string };

/** The service error for a request Node's parser refused. */
export function parserError(error: ClientError): ServiceError {
  if (error.code === 'HPE_HEADER_OVERFLOW') return new HeadersTooLarge('The request headers are too large.');
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT' || error.code === 'HPE_HEADERS_TIMEOUT') return new RequestTimeout('The request did not arrive in time.');
  return new RequestMalformed(`The request is not valid HTTP (${error.code ?? 'parse error'}).`);
}

/**
 * The server's `clientError` handler: a request Node's parser refused (before Express) is answered in
 * the service's JSON error shape with a request id, instead of Node's empty 400/431, and the socket
 * closed. Nothing of the request (its raw bytes may hold credentials) is logged.
 */
export function answerClientErrors(logger: Logger) {
  return (error: ClientError, socket: Socket): void => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const requestId = randomUUID();
    const { status, body } = errorBody(parserError(error), requestId);
    logger.info({ requestId, status, code: body.code, parserCode: error.code }, 'request refused by the HTTP parser');
    const json = JSON.stringify(body);
    const reason = status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request';
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(json)}\r\n` +
        `X-Request-Id: ${requestId}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${json}`,
    );
  };
}
