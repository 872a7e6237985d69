import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { reserveTestSubnet } from '@berth/testkit/host';

const run = promisify(execFile);

/** A dockerd of this test file's own: its socket, data and exec roots under one temp dir. */
export interface PrivateDockerd {
  /** `unix://…/docker.sock`. */
  host: string;
  socketPath: string;
  /** Stops it (SIGTERM, then SIGKILL), waits for its exit, unmounts what it left, removes its dirs. */
  stop(): Promise<void>;
}

function ping(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', method: 'GET', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

async function mountsUnder(directory: string): Promise<string[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  return info
    .split('\n')
    .map((line) => line.split(' ')[4]?.replace(/\\040/g, ' '))
    .filter((point): point is string => point !== undefined && (point === directory || point.startsWith(`${directory}/`)))
    .sort((a, b) => b.length - a.length);
}

/** Options of {@link startPrivateDockerd}. */
export interface PrivateDockerdOptions {
  /**
   * Give dockerd a default `bridge` network on a bridge of the test's own (a unique name and
   * a free /24, deleted at stop) instead of `--bridge=none`. iptables stays off either way.
   */
  bridge?: boolean;
}

/**
 * Starts a private dockerd: no iptables or ip_forward changes, nothing shared with the host's
 * docker, and no default bridge unless asked for one of its own. Resolves once `/_ping`
 * answers. The temp dir is short because containerd's sockets live under it (108-byte limit).
 */
export async function startPrivateDockerd(options: PrivateDockerdOptions = {}): Promise<PrivateDockerd> {
  const directory = await mkdtemp('/tmp/ecd-');
  const bridge = options.bridge ? `btd${directory.slice(-6).toLowerCase().replace(/[^a-z0-9]/g, 'x')}` : undefined;
  // A /16 of its own (a /24 of it used): reserved so no other test file's bridge takes it meanwhile.
  const reserved = bridge ? await reserveTestSubnet() : undefined;
  if (bridge && reserved) {
    const subnet = `${reserved.base}.0`;
    await run('ip', ['link', 'add', bridge, 'type', 'bridge']);
    await run('ip', ['addr', 'add', `${subnet}.1/24`, 'dev', bridge]);
    await run('ip', ['link', 'set', bridge, 'up']);
  }
  const socketPath = join(directory, 'docker.sock');
  const log = openSync(join(directory, 'dockerd.log'), 'a');
  const child = spawn(
    'dockerd',
    [
      '-H', `unix://${socketPath}`,
      '--data-root', join(directory, 'data'),
      '--exec-root', join(directory, 'exec'),
      '--pidfile', join(directory, 'docker.pid'),
      `--bridge=${bridge ?? 'none'}`,
      '--iptables=false',
      '--ip-forward=false',
      '--ip-masq=false',
      '--log-level=warn',
    ],
    { stdio: ['ignore', log, log] },
  );
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let running = true;
  void exited.then(() => {
    running = false;
  });

  const stop = async () => {
    if (running && child.pid !== undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    for (const point of await mountsUnder(directory)) await run('umount', ['-l', point]).catch(() => undefined);
    if (bridge) await run('ip', ['link', 'del', bridge]).catch(() => undefined);
    await reserved?.release();
    await rm(directory, { recursive: true, force: true, maxRetries: 3 });
  };

  try {
    for (let attempt = 0; ; attempt += 1) {
      if (!running) throw new Error(`dockerd exited at start: see ${directory}/dockerd.log`);
      if (await ping(socketPath)) break;
      if (attempt > 300) throw new Error('dockerd did not answer /_ping within 30s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (err) {
    const text = await readFile(join(directory, 'dockerd.log'), 'utf8').catch(() => '');
    await stop();
    throw new Error(`${(err as Error).message}\n${text.slice(-2000)}`);
  }
  return { host: `unix://${socketPath}`, socketPath, stop };
}
