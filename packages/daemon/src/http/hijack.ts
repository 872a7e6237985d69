import type { Duplex } from 'node:stream';
import { MULTIPLEXED_STREAM_CONTENT_TYPE, RAW_STREAM_CONTENT_TYPE } from '@berth/docker-api';
import type { RequestContext } from './request-context.js';

/** A connection taken over from HTTP: raw bytes both ways. */
export interface HijackedStream {
  /** Where the output goes (framed by the caller). */
  readonly output: Duplex | NodeJS.WritableStream;
  /** What the client sends (stdin); ends when the client half-closes. `undefined` without upgrade. */
  readonly input: NodeJS.ReadableStream | undefined;
  /** Bytes of stdin that arrived with the request headers. */
  readonly head: Buffer;
  /** Ends the output (the client sees EOF); the connection closes once both sides are done. */
  end(): void;
}

/**
 * Takes over the connection as dockerd does for attach and exec start. With upgrade headers:
 * `101 UPGRADED`, then the raw socket both ways (half-close of stdin keeps output flowing).
 * Without them: `200 OK` with the stream content type and the output as the response body
 * (no chunking), stdin then only from a request body.
 */
export function hijack(ctx: RequestContext, options: { tty: boolean }): HijackedStream {
  const contentType = options.tty ? RAW_STREAM_CONTENT_TYPE : MULTIPLEXED_STREAM_CONTENT_TYPE;
  const upgrade = ctx.upgrade;
  if (upgrade) {
    const socket = upgrade.socket;
    socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
    // The socket belongs to us now: the response object must not write anything more.
    ctx.res.detachSocket(socket as never);
    if ('setNoDelay' in socket && typeof socket.setNoDelay === 'function') (socket as { setNoDelay(v: boolean): void }).setNoDelay(true);
    return {
      output: socket,
      input: socket,
      head: upgrade.head,
      end: () => {
        if (!socket.writableEnded) socket.end();
      },
    };
  }
  const res = ctx.res;
  // A hijacked body is raw: no chunked framing, the end is the connection's end.
  res.useChunkedEncodingByDefault = false;
  res.shouldKeepAlive = false;
  res.writeHead(200, { 'Content-Type': contentType, Connection: 'close' });
  res.flushHeaders();
  return {
    output: res,
    input: ctx.req,
    head: Buffer.alloc(0),
    end: () => {
      if (!res.writableEnded) res.end();
    },
  };
}

/** Whether the request asked to upgrade to a raw TCP stream. */
export function wantsUpgrade(headers: { connection?: string | undefined; upgrade?: string | undefined }): boolean {
  return (headers.connection ?? '').toLowerCase().includes('upgrade') && (headers.upgrade ?? '') !== '';
}
