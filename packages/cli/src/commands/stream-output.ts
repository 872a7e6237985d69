import type { Writable } from 'node:stream';
import type { LogChunk } from '@berth/engine';
import type { CliContext } from '../command.js';

/** Writes `data`, waiting for `drain` when the stream asks (a slow pipe must not grow memory). */
export async function writeWithBackpressure(stream: Writable, data: Buffer | string): Promise<void> {
  if (stream.write(data)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
    stream.once('error', done);
  });
}

/** Copies a container's output to the CLI's stdout and stderr until it ends (chunks up to `after` skipped). */
export async function copyOutput(context: CliContext, output: AsyncIterable<LogChunk>, options: { timestamps?: boolean; after?: Date } = {}): Promise<void> {
  for await (const chunk of output) {
    // `after`: a previous run's output, which a coarse `since` of the engine may still let through.
    if (options.after && chunk.time.getTime() <= options.after.getTime()) continue;
    const target = chunk.stream === 'stderr' ? context.stderr : context.stdout;
    if (options.timestamps) await writeWithBackpressure(target, `${chunk.time.toISOString()} `);
    await writeWithBackpressure(target, chunk.data);
  }
}

/**
 * Puts the CLI's stdin in raw mode while an `-it` session runs (keys go to the container,
 * not to the local line discipline); the returned function restores it. A no-op when stdin
 * is not a terminal.
 */
export function enterRawMode(context: CliContext): () => void {
  const stdin = context.stdin;
  if (!stdin?.isTTY || !stdin.setRawMode) return () => undefined;
  stdin.setRawMode(true);
  return () => {
    stdin.setRawMode?.(false);
  };
}

/**
 * Keeps a container's (or exec's) terminal the size of ours: once now and on every
 * SIGWINCH. Returns the function that stops following.
 */
export function followTerminalSize(context: CliContext, resize: (size: { width: number; height: number }) => Promise<void>): () => void {
  const stdout = context.stdout as CliContextStdout;
  if (!stdout.isTTY || stdout.columns === undefined) return () => undefined;
  const send = () => {
    resize({ width: stdout.columns ?? 80, height: stdout.rows ?? 24 }).catch(() => undefined);
  };
  send();
  process.on('SIGWINCH', send);
  return () => {
    process.off('SIGWINCH', send);
  };
}

type CliContextStdout = CliContext['stdout'] & { rows?: number };
