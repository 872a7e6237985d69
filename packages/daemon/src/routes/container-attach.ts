import type { Writable } from 'node:stream';
import { queryBoolean } from '@berth/docker-api';
import type { AttachSession, Engine, LogChunk } from '@berth/engine';
import { DEFAULT_DETACH_KEYS, DetachKeyScanner, parseDetachKeys } from '../http/detach-keys.js';
import { hijack } from '../http/hijack.js';
import { pumpOutput } from '../http/output-stream.js';
import { param } from '../http/request-context.js';
import type { RequestContext } from '../http/request-context.js';

/**
 * `POST /containers/{id}/attach`, hijacked. dockerd lets clients attach to a container that is
 * not running yet (`docker run` and `docker start -a` attach first, then start); the engine
 * attaches only to running containers, so for those the daemon waits for the start, then
 * follows the logs of the new run for output and attaches for stdin.
 */
export async function attach(ctx: RequestContext): Promise<void> {
  const id = param(ctx, 'id');
  const q = ctx.query;
  const askedAt = new Date();
  const container = await ctx.engine.containers.inspect(id);
  const tty = container.config.tty ?? false;
  const options = {
    stdin: queryBoolean(q.get('stdin')),
    stdout: queryBoolean(q.get('stdout')),
    stderr: queryBoolean(q.get('stderr')),
    logs: queryBoolean(q.get('logs')),
  };
  const detachKeys = parseDetachKeys(q.get('detachKeys') || DEFAULT_DETACH_KEYS);
  const running = container.state.status === 'running';
  const session = running ? await ctx.engine.containers.attach(id, { ...options, signal: ctx.signal }) : undefined;
  const stream = hijack(ctx, { tty });

  let detached = false;
  let current: AttachSession | undefined = session;
  const detach = () => {
    if (detached) return;
    detached = true;
    void current?.detach().catch(() => undefined);
    stream.end();
  };

  // Stdin is read from the start and queued until the engine takes it.
  const pending: Buffer[] = [];
  let stdinEnded = false;
  let stdin: Writable | undefined;
  const deliver = (chunk: Buffer) => {
    if (stdin && !stdin.destroyed) stdin.write(chunk);
    else pending.push(chunk);
  };
  const takeStdin = (target: Writable | undefined) => {
    if (!target) return;
    target.on('error', () => undefined);
    stdin = target;
    for (const chunk of pending.splice(0)) target.write(chunk);
    if (stdinEnded) target.end();
  };
  if (options.stdin && stream.input) {
    const scanner = new DetachKeyScanner(detachKeys);
    const feed = (chunk: Buffer) => {
      const { pass, detached: hit } = scanner.push(chunk);
      if (pass.length > 0) deliver(pass);
      if (hit) detach();
    };
    if (stream.head.length > 0) feed(stream.head);
    stream.input.on('data', feed);
    // Half-close: the client is done sending; output keeps flowing until the container ends it.
    stream.input.on('end', () => {
      stdinEnded = true;
      if (stdin && !stdin.writableEnded) stdin.end();
    });
    stream.input.resume();
  }

  try {
    let output: AsyncIterable<LogChunk>;
    if (session) {
      takeStdin(session.stdin);
      output = session.output;
    } else {
      // Output after the previous run ended belongs to the next one (a never-started container: all of it).
      const previousRunEnd = container.state.startedAt ? (container.state.finishedAt ?? askedAt) : undefined;
      output = await outputOfNextRun(ctx.engine, id, askedAt, previousRunEnd, options, ctx.signal, (s) => {
        current = s;
        takeStdin(s.stdin);
      });
    }
    if (options.stdout || options.stderr) await pumpOutput(output, stream.output as never, tty, ctx.signal);
    else for await (const chunk of output) void chunk;
  } catch {
    // The container or the connection went away.
  } finally {
    detach();
  }
}

async function outputOfNextRun(
  engine: Engine,
  id: string,
  since: Date,
  previousRunEnd: Date | undefined,
  options: { stdin: boolean; stdout: boolean; stderr: boolean; logs: boolean },
  signal: AbortSignal,
  onSession: (session: AttachSession) => void,
): Promise<AsyncIterable<LogChunk>> {
  // Replay from the request's time: a start between the inspect and now is not missed.
  for await (const event of engine.events({ since, filters: { container: [id], event: ['start'] }, signal })) {
    void event;
    break;
  }
  if (options.stdin) {
    await engine.containers.attach(id, { stdin: true, stdout: false, stderr: false, signal }).then(onSession, () => undefined);
  }
  return engine.containers.logs(id, {
    stdout: options.stdout,
    stderr: options.stderr,
    follow: true,
    signal,
    ...(!options.logs && previousRunEnd ? { since: previousRunEnd } : {}),
  });
}
