import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** berthd's entry point in this repository, run from source (no build needed). */
export const BERTHD_SOURCE = resolve(fileURLToPath(import.meta.url), '../../../../daemon/src/berthd.ts');

/** Whether berthd's source is in the tree. */
export const berthdAvailable = existsSync(BERTHD_SOURCE);

/** A berthd process of this test file's own. */
export interface BerthdProcess {
  host: string;
  stop(): Promise<void>;
}

function ping(socketPath: string): Promise<boolean> {
  return new Promise((done) => {
    const req = request({ socketPath, path: '/_ping', timeout: 1000 }, (res) => {
      res.resume();
      done(res.statusCode === 200);
    });
    req.on('error', () => done(false));
    req.on('timeout', () => {
      req.destroy();
      done(false);
    });
    req.end();
  });
}

/**
 * Starts `berthd --memory` (the in-memory engine behind the Docker API) as a separate process,
 * exactly as a user would run it, on a unix socket in a temp dir. Resolves once `/_ping` answers.
 */
export async function startBerthd(): Promise<BerthdProcess> {
  const directory = await mkdtemp('/tmp/ecb-');
  const socketPath = join(directory, 'berthd.sock');
  const log = openSync(join(directory, 'berthd.log'), 'a');
  const child = spawn(process.execPath, ['--conditions=@berth/source', '--import', 'tsx', BERTHD_SOURCE, '--memory', '-H', `unix://${socketPath}`], {
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  let running = true;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  void exited.then(() => {
    running = false;
  });
  const stop = async () => {
    if (running) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(directory, { recursive: true, force: true });
  };
  for (let attempt = 0; ; attempt += 1) {
    if (await ping(socketPath)) break;
    if (!running || attempt > 300) {
      const output = await readFile(join(directory, 'berthd.log'), 'utf8').catch(() => '');
      await stop();
      throw new Error(`berthd did not start:\n${output.slice(-2000)}`);
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  return { host: `unix://${socketPath}`, stop };
}
