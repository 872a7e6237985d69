import { PassThrough, Writable } from 'node:stream';
import type { Engine } from '@berth/engine';
import { runCli } from '@berth/cli';

/** What one `berth` invocation printed and returned. */
export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

class Capture extends Writable {
  text = '';
  isTTY = false;
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

/** Runs `berth …argv` in-process against `engine`, with a fixed clock and captured output. */
export async function berth(engine: Engine, argv: readonly string[], options: { stdin?: string; now?: Date; env?: Record<string, string>; tty?: boolean; signal?: AbortSignal } = {}): Promise<CliResult> {
  const stdout = new Capture();
  const stderr = new Capture();
  stdout.isTTY = options.tty ?? false;
  let stdin: PassThrough | undefined;
  if (options.stdin !== undefined) {
    stdin = new PassThrough();
    stdin.end(options.stdin);
  }
  const status = await runCli(argv, {
    engine,
    stdout,
    stderr,
    ...(stdin ? { stdin } : {}),
    env: options.env ?? {},
    ...(options.now ? { now: () => options.now! } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { status, stdout: stdout.text, stderr: stderr.text };
}
