import { close, constants, open } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { processAlive } from './process-alive.js';

// A raw descriptor, not a FileHandle: the socket below closes it, and a FileHandle would
// close the same number again when collected.
const openFd = promisify(open);

/** How often the init process is checked while waiting on its FIFO (runc's own interval). */
const livenessCheckMs = 100;

/**
 * Starts a created runc container the way `runc start` does, without spawning runc: a
 * created container's `runc init` waits, blocked, to open `<runcRoot>/<id>/exec.fifo` for
 * writing; opening the FIFO for reading lets it write one byte and exec the container's
 * process (its end of the FIFO is close-on-exec, so end-of-file means the process runs);
 * then the FIFO is removed, which is what makes runc report the container as running.
 * Saves a runc process (a fork of the engine and a Go runtime start) on every container
 * start.
 *
 * Resolves `true` once the process runs; `false` when it could not tell — no FIFO (the
 * container is not in the created state), nothing read, or the init process (`initPid`,
 * when known) died while waiting: the caller then runs `runc start`, which gives runc's
 * own answer.
 */
export async function startThroughExecFifo(runcRoot: string, id: string, initPid: number | undefined): Promise<boolean> {
  const fifo = join(runcRoot, id, 'exec.fifo');
  let fd: number;
  try {
    // Non-blocking: an open that waited for a writer could wait forever for a dead init.
    fd = await openFd(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return false;
  }
  let socket: Socket;
  try {
    // A socket over the FIFO reads when epoll says so: no read before the writer came.
    socket = new Socket({ fd, readable: true, writable: false });
  } catch {
    close(fd);
    return false;
  }
  let received = 0;
  let liveness: NodeJS.Timeout | undefined;
  const ran = await new Promise<boolean>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    socket.once('end', () => resolve(received > 0));
    socket.once('error', () => resolve(false));
    if (initPid !== undefined && initPid > 0) {
      liveness = setInterval(() => {
        void processAlive(initPid).then((alive) => {
          if (!alive && received === 0) resolve(false);
        });
      }, livenessCheckMs);
    }
  });
  if (liveness) clearInterval(liveness);
  // The socket owns the descriptor now: destroying it closes it.
  socket.destroy();
  if (ran) await rm(fifo, { force: true });
  return ran;
}
