import { type ChildProcess, spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { PassThrough, type Readable } from 'node:stream';
import { UnavailableError } from '@berth/errdefs';
import { parseLogLine } from '../logs/log-line.js';
import { followLines } from '../logs/read-lines.js';
import type { AttachOptions, AttachSession, ExitStatus } from '../runtime/oci-runtime.js';

/**
 * Ends a socat bridge to a conmon attach socket: its stdin is closed, and it is waited for —
 * killed if it has not left after 2 s (socat is ours; nothing may outlive the session).
 */
export async function endSocketBridge(bridge: ChildProcess): Promise<void> {
  if (!bridge.stdin!.writableEnded) bridge.stdin!.end();
  const gone = new Promise<void>((resolve) => {
    if (bridge.exitCode !== null || bridge.signalCode !== null) resolve();
    else bridge.once('close', () => resolve());
  });
  const timer = setTimeout(() => bridge.kill('SIGKILL'), 2000);
  await gone;
  clearTimeout(timer);
}

/** What {@link attachToConmon} needs. */
export interface ConmonAttachParams {
  id: string;
  /** The container's k8s-file log (conmon writes it). */
  logPath: string;
  /** With a terminal there is no stderr. */
  terminal: boolean;
  /** conmon's attach socket (`<socketDir>/<id>/attach`). */
  attachSocket: string;
  socatPath: string;
  /** Resolves when the container exits (the session ends then). */
  exited: (signal: AbortSignal) => Promise<ExitStatus>;
  options: AttachOptions;
}

/**
 * Attaches to a conmon-monitored container. Output written from now on is read by
 * following the log from its current end (conmon writes every line there), split into
 * stdout and stderr. Stdin goes to conmon's attach socket — `SOCK_SEQPACKET`, which Node
 * cannot open — through `socat`; what conmon sends back on it is drained and dropped.
 * The streams end when the container exits or the session is closed. `Unavailable` if
 * stdin is asked for and socat is missing.
 */
export async function attachToConmon(params: ConmonAttachParams): Promise<AttachSession> {
  const { options } = params;
  const stdout = (options.stdout ?? true) ? new PassThrough() : undefined;
  const stderr = (options.stderr ?? true) && !params.terminal ? new PassThrough() : undefined;
  const stop = new AbortController();
  const offset = await stat(params.logPath).then(
    (s) => s.size,
    () => 0,
  );
  const exited = params.exited(stop.signal).catch(() => undefined);
  const pump = (async () => {
    try {
      for await (const raw of followLines(params.logPath, offset, { until: exited, signal: stop.signal, pollIntervalMs: 50 })) {
        const line = parseLogLine(raw);
        if (!line) continue;
        const target = line.stream === 'stdout' ? stdout : stderr;
        target?.write(line.partial ? line.content : Buffer.concat([line.content, Buffer.from('\n')]));
      }
    } catch {
      // Closed by the client: just end the streams.
    } finally {
      stdout?.end();
      stderr?.end();
    }
  })();

  let bridge: ReturnType<typeof spawn> | undefined;
  if (options.stdin) {
    bridge = spawn(params.socatPath, ['-', `UNIX-CONNECT:${params.attachSocket},type=5`], { stdio: ['pipe', 'pipe', 'ignore'] });
    try {
      await new Promise<void>((resolve, reject) => {
        bridge!.once('spawn', resolve);
        bridge!.once('error', (err) =>
          reject(
            (err as NodeJS.ErrnoException).code === 'ENOENT'
              ? new UnavailableError(`writing to a container's stdin needs socat, which is not installed (${params.socatPath})`, {
                  cause: err,
                })
              : err,
          ),
        );
      });
    } catch (err) {
      stop.abort();
      await pump;
      throw err;
    }
    bridge.stdout!.resume();
  }

  return {
    stdin: bridge?.stdin ?? undefined,
    stdout: stdout as Readable | undefined,
    stderr: stderr as Readable | undefined,
    async close() {
      if (bridge) await endSocketBridge(bridge);
      stop.abort();
      await pump;
    },
  };
}
