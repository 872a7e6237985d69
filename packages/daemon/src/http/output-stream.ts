import type { LogChunk } from '@berth/engine';
import { createAttachEncoder } from '@berth/docker-api';

/** Where a stream of output goes: a socket after hijack, or a response body. */
export interface OutputSink {
  write(chunk: Buffer): boolean;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  readonly destroyed?: boolean;
}

/**
 * Writes container output to `sink`, multiplexed (8-byte frame headers) without a TTY and raw
 * with one, honouring back-pressure. Resolves when `output` ends or the sink closes.
 */
export async function pumpOutput(output: AsyncIterable<LogChunk>, sink: OutputSink, tty: boolean, signal?: AbortSignal): Promise<void> {
  const encoder = createAttachEncoder({ tty });
  const bytes: Buffer[] = [];
  encoder.on('data', (b: Buffer) => bytes.push(b));
  for await (const chunk of output) {
    if (signal?.aborted || sink.destroyed) break;
    encoder.write({ stream: chunk.stream, data: chunk.data });
    for (const b of bytes.splice(0)) {
      if (!sink.write(b)) await drained(sink);
    }
  }
  encoder.end();
}

function drained(sink: OutputSink): Promise<void> {
  return new Promise((resolve) => {
    sink.once('drain', resolve);
    sink.once('close', resolve);
  });
}
