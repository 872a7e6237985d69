import type { LogChunk } from '@berth/engine';
import { decodeAttachStream } from '@berth/docker-api';

/**
 * An attach, exec or logs byte stream as typed chunks: demultiplexed unless the container has
 * a TTY (then everything is stdout). With `timestamped`, docker put an RFC 3339 time and a
 * space before every line: it becomes the chunk's `time`, and stays in the data only when the
 * caller asked for timestamps (`keepTimestamps`), as `docker logs -t` shows them.
 */
export async function* logChunks(
  source: AsyncIterable<Uint8Array>,
  options: { tty: boolean; timestamped?: boolean; keepTimestamps?: boolean },
): AsyncGenerator<LogChunk, void, undefined> {
  const chunks = decodeAttachStream(source, { tty: options.tty });
  if (!options.timestamped) {
    for await (const chunk of chunks) yield { stream: outputOf(chunk.stream), data: chunk.data, time: new Date() };
    return;
  }
  // A TTY stream is not framed per line: cut it at newlines first.
  let pending = Buffer.alloc(0);
  for await (const chunk of chunks) {
    if (!options.tty) {
      yield stamped(outputOf(chunk.stream), chunk.data, options.keepTimestamps ?? false);
      continue;
    }
    pending = Buffer.concat([pending, chunk.data]);
    let newline = pending.indexOf(0x0a);
    while (newline >= 0) {
      yield stamped('stdout', pending.subarray(0, newline + 1), options.keepTimestamps ?? false);
      pending = pending.subarray(newline + 1);
      newline = pending.indexOf(0x0a);
    }
  }
  if (pending.length > 0) yield stamped('stdout', pending, options.keepTimestamps ?? false);
}

function stamped(stream: LogChunk['stream'], data: Buffer, keep: boolean): LogChunk {
  const space = data.indexOf(0x20);
  const time = space > 0 ? new Date(data.subarray(0, space).toString('latin1')) : new Date(Number.NaN);
  if (Number.isNaN(time.getTime())) return { stream, data, time: new Date() };
  return { stream, data: keep ? data : data.subarray(space + 1), time };
}

/** docker never sends stdin frames back; an odd one counts as output. */
function outputOf(stream: string): LogChunk['stream'] {
  return stream === 'stderr' ? 'stderr' : 'stdout';
}
