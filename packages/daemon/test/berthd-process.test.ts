import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '@berth/testkit';
import { call } from './daemon-fixture.js';

const berthd = fileURLToPath(new URL('../src/berthd.ts', import.meta.url));
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('berthd process', () => {
  it('serves --memory on -H, reloads the config file on SIGHUP, and exits 0 on SIGTERM', async () => {
    const dir = await makeTempDir('berthd-process');
    cleanups.push(dir.remove);
    const socketPath = join(dir.path, 'd.sock');
    const configFile = join(dir.path, 'daemon.json');
    await writeFile(configFile, JSON.stringify({ 'registry-mirrors': ['https://one.example'] }));
    const child: ChildProcess = spawn(
      process.execPath,
      ['--conditions=@berth/source', '--import', 'tsx', berthd, '--memory', '-H', `unix://${socketPath}`, '--config-file', configFile],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    await waitFor(() => existsSync(socketPath) || child.exitCode !== null, 'the socket');
    expect(child.exitCode, stderr).toBeNull();
    expect((await call(socketPath, 'GET', '/info')).json().RegistryConfig.Mirrors).toEqual(['https://one.example']);

    await writeFile(configFile, JSON.stringify({ 'registry-mirrors': ['https://two.example'], 'log-level': 'warn' }));
    child.kill('SIGHUP');
    await waitFor(() => stderr.includes('Reloaded configuration'), 'the reload');
    expect((await call(socketPath, 'GET', '/info')).json().RegistryConfig.Mirrors).toEqual(['https://two.example']);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(socketPath)).toBe(false);
  });

  it('exits 1 with the reason on a bad flag', async () => {
    const child = spawn(process.execPath, ['--conditions=@berth/source', '--import', 'tsx', berthd, '--bogus'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('berthd: unknown flag: --bogus');
  });
});
