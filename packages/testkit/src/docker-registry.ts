import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** How to configure a test `docker-registry`. */
export interface DockerRegistryOptions {
  /** Directory for config, storage and credentials (the caller removes it). */
  dir: string;
  /** htpasswd basic auth with these users. */
  htpasswd?: Record<string, string>;
  /** Token auth: realm URL, service, issuer and the certificate that signs tokens. */
  token?: { realm: string; service: string; issuer: string; certPath: string };
  /** Serve HTTPS with this certificate and key. */
  tls?: { certPath: string; keyPath: string };
}

/** A running `docker-registry` (CNCF distribution). */
export interface DockerRegistry {
  /** `127.0.0.1:<port>`. */
  host: string;
  pid: number;
  /** Output of the process, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** A port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `docker-registry serve` (CNCF distribution) on 127.0.0.1 at a free port — plain HTTP
 * unless `tls` is given, so docker and Berth treat it as an insecure loopback registry — with
 * its config and storage under `dir`, and resolves once `/v2/` answers. Stop it with `stop()`.
 */
export async function startDockerRegistry(options: DockerRegistryOptions): Promise<DockerRegistry> {
  const port = await freePort();
  await mkdir(join(options.dir, 'storage'), { recursive: true });
  const lines = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(options.dir, 'storage')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
  ];
  if (options.tls) lines.push('  tls:', `    certificate: ${options.tls.certPath}`, `    key: ${options.tls.keyPath}`);
  if (options.htpasswd) {
    const file = join(options.dir, 'htpasswd');
    const entries: string[] = [];
    for (const [user, password] of Object.entries(options.htpasswd)) {
      const { stdout } = await run('htpasswd', ['-Bbn', user, password]);
      entries.push(stdout.trim());
    }
    await writeFile(file, `${entries.join('\n')}\n`);
    lines.push('auth:', '  htpasswd:', '    realm: berth-test', `    path: ${file}`);
  }
  if (options.token) {
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${options.token.realm}`,
      `    service: ${options.token.service}`,
      `    issuer: ${options.token.issuer}`,
      `    rootcertbundle: ${options.token.certPath}`,
    );
  }
  const configPath = join(options.dir, 'config.yml');
  await writeFile(configPath, `${lines.join('\n')}\n`);
  const child: ChildProcess = spawn('docker-registry', ['serve', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (output += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (output += s));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  try {
    await waitUntilServing(port, Boolean(options.tls), () => child.exitCode !== null);
  } catch (err) {
    await stop();
    throw new Error(`docker-registry did not start: ${(err as Error).message}\n${output}`);
  }
  return { host: `127.0.0.1:${port}`, pid: child.pid!, output: () => output, stop };
}

async function waitUntilServing(port: number, tls: boolean, hasExited: () => boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (hasExited()) throw new Error('the process exited');
    const answered = await new Promise<boolean>((resolve) => {
      const req = (tls ? httpsRequest : request)({ host: '127.0.0.1', port, path: '/v2/', rejectUnauthorized: false }, (res) => {
        res.resume();
        resolve(true);
      });
      req.once('error', () => resolve(false));
      req.end();
    });
    if (answered) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing answered on port ${port}`);
}
