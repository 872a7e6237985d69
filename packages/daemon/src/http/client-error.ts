/**
 * The raw answer to a request node's HTTP parser refused before any route saw it (malformed
 * request line, headers too large, bad Content-Length). Docker's clients read every error body
 * as `{"message": …}`, so this one is JSON too; the connection closes after it.
 */
export function clientErrorReply(err: Error & { code?: string }): string {
  const [status, reason, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'request header fields too large']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'request timeout']
        : [400, 'Bad Request', `bad request: ${err.message}`];
  const body = `${JSON.stringify({ message })}\n`;
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}
