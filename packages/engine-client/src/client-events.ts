import { EventMessageSchema, decodeJsonLines } from '@berth/docker-api';
import type { EngineEvent, EventsOptions } from '@berth/engine';
import { type ClientContext, filtersQuery, responseBytes } from './internal/client-context.js';
import { eventFromWire } from './wire-codec.js';

const unixSeconds = (date: Date) => (date.getTime() / 1000).toFixed(9);

/**
 * `GET /events` as an async iterator of engine events. Events of object types the engine does
 * not know (daemon, plugin…) are skipped; `seq` counts this stream's events. Aborting the
 * signal or closing the client ends the iteration without an error.
 */
export async function* clientEvents({ transport }: ClientContext, options: EventsOptions = {}): AsyncGenerator<EngineEvent, void, undefined> {
  let response;
  try {
    response = await transport.send({
      method: 'GET',
      path: '/events',
      query: {
        since: options.since ? unixSeconds(options.since) : undefined,
        until: options.until ? unixSeconds(options.until) : undefined,
        filters: filtersQuery(options.filters),
      },
      signal: options.signal,
    });
  } catch (err) {
    if (options.signal?.aborted) return;
    throw err;
  }
  let seq = 0;
  for await (const message of decodeJsonLines(responseBytes(response, options.signal), { schema: EventMessageSchema })) {
    const event = eventFromWire(message, seq + 1);
    if (!event) continue;
    seq += 1;
    yield event;
  }
}
