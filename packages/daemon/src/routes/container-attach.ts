import type { Writable } from 'node:stream';
import type { AttachSession, Engine, LogChunk } from '@berth/engine';
import { DEFAULT_DETACH_KEYS, DetachKeyScanner, parseDetachKeys, queryBoolean } from '@berth/docker-api';
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
  // A stdin-only attach lasts until stdin is done (sent on, or cut by a detach or a hang-up).
  let stdinDone: () => void = () => undefined;
  const stdinFinished = new Promise<void>((resolve) => (stdinDone = resolve));
  const detach = () => {
    stdinDone();
    if (detached) return;
    detached = true;
    void current?.detach().catch(() => undefined);
    stream.end();
  };

  // Stdin is read from the start and queued until the engine takes it.
  const pending: Buffer[] = [];
  let stdinEnded = false;
  let stdin: Writable | undefined;
  // Set once the session is settled: with no stdin taken by then, none will be.
  let sessionSettled = false;
  const deliver = (chunk: Buffer) => {
    if (stdin && !stdin.destroyed) stdin.write(chunk);
    else pending.push(chunk);
  };
  const endStdin = (target: Writable) => {
    if (target.writableEnded) return;
    target.once('close', stdinDone);
    target.end(stdinDone);
  };
  const takeStdin = (target: Writable | undefined) => {
    if (!target) return;
    target.on('error', stdinDone);
    stdin = target;
    for (const chunk of pending.splice(0)) target.write(chunk);
    if (stdinEnded) endStdin(target);
  };
  if (options.stdin && stream.input) {
    // As dockerd: detach keys are read from a terminal only; without one stdin is data, passed
    // on byte for byte (binary input holds ctrl-p ctrl-q pairs).
    const scanner = tty ? new DetachKeyScanner(detachKeys) : undefined;
    const feed = (chunk: Buffer) => {
      if (!scanner) return deliver(chunk);
      const { pass, detached: hit } = scanner.push(chunk);
      if (pass.length > 0) deliver(pass);
      if (hit) detach();
    };
    if (stream.head.length > 0) feed(stream.head);
    stream.input.on('data', feed);
    // Half-close: the client is done sending; output keeps flowing until the container ends it.
    stream.input.on('end', () => {
      stdinEnded = true;
      if (stdin) endStdin(stdin);
      else if (sessionSettled) stdinDone();
    });
    stream.input.on('close', () => {
      if (!stdinEnded) stdinDone();
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
    else if (options.stdin && stream.input) {
      sessionSettled = true;
      // The container took no stdin (none open): the end of the client's is the end.
      if (!stdin && stdinEnded) stdinDone();
      await untilStdinFinished(ctx.engine, id, stdinFinished, ctx.signal);
    }
    else for await (const chunk of output) void chunk;
  } catch {
    // The container or the connection went away.
  } finally {
    detach();
  }
}

/**
 * A stdin-only attach (`stdin=1&stdout=0&stderr=0`, as clients that only feed a container open
 * it) has no output to end it: as dockerd, it stays until stdin is done, the container stops,
 * or the client goes away.
 */
async function untilStdinFinished(engine: Engine, id: string, stdinFinished: Promise<void>, signal: AbortSignal): Promise<void> {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const stopped = engine.containers.wait(id, { condition: 'not-running', signal: stop.signal }).catch(() => undefined);
    const aborted = new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
    await Promise.race([stdinFinished, stopped, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
    stop.abort();
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
