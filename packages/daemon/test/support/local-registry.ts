import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** A running `docker-registry` (CNCF distribution) on 127.0.0.1, plain HTTP, no auth. */
export interface LocalRegistry {
  /** `127.0.0.1:<port>`: loopback, so docker and Berth treat it as insecure (plain HTTP). */
  host: string;
  /** What the process printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
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
 * Starts `docker-registry serve` with its config and storage under `dir` (the caller removes
 * `dir`) and resolves once `/v2/` answers. A copy of registry-client's test helper: packages
 * do not import each other's tests.
 */
export async function startLocalRegistry(dir: string): Promise<LocalRegistry> {
  const port = await freePort();
  await mkdir(join(dir, 'storage'), { recursive: true });
  const config = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'storage')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
  ];
  const configPath = join(dir, 'config.yml');
  await writeFile(configPath, `${config.join('\n')}\n`);
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
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null || attempt === 200) {
      await stop();
      throw new Error(`docker-registry did not start on port ${port}:\n${output}`);
    }
    const answered = await new Promise<boolean>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/v2/' }, (res) => {
        res.resume();
        resolve(true);
      });
      req.once('error', () => resolve(false));
      req.end();
    });
    if (answered) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { host: `127.0.0.1:${port}`, output: () => output, stop };
}
