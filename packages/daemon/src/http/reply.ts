import type { ServerResponse } from 'node:http';
import { errorBody } from '@berth/docker-api';

/** Answers with a JSON body (dockerd ends JSON bodies with a newline). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body) + '\n';
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Answers with a status and no body (`204 No Content`, `304 Not Modified`, `201` of tag). */
export function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'Content-Length': 0 });
  res.end();
}

/**
 * Answers an error as dockerd does: `{"message": …}` with the status `toHttpStatus` picks. When
 * the response already started (a stream), the connection is cut: there is no way to change
 * the status any more, and a truncated stream is what docker's clients detect.
 */
export function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const reply = errorBody(err);
  sendJson(res, reply.status, reply.body);
}
