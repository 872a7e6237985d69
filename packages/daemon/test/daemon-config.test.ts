import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '@berth/testkit';
import { loadDaemonConfig, parseDaemonArgs, parseListenAddress } from '@berth/daemon';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await makeTempDir('berthd-config');
  cleanups.push(dir.remove);
  return dir.path;
}

describe('command line', () => {
  it('parses dockerd flags, repeated and with =', () => {
    expect(
      parseDaemonArgs([
        '-H', 'unix:///tmp/a.sock', '--host=tcp://127.0.0.1:2376', '--data-root', '/d', '--exec-root=/e',
        '--registry-mirror', 'https://m1', '--registry-mirror=https://m2', '--insecure-registry', 'localhost:5000',
        '--default-address-pool', 'base=10.10.0.0/16,size=24', '--bridge', 'br9', '--bip', '172.30.0.1/16',
        '--log-level', 'warn', '--memory', '--tlsverify',
      ]),
    ).toEqual({
      hosts: ['unix:///tmp/a.sock', 'tcp://127.0.0.1:2376'],
      dataRoot: '/d',
      execRoot: '/e',
      registryMirrors: ['https://m1', 'https://m2'],
      insecureRegistries: ['localhost:5000'],
      defaultAddressPools: [{ base: '10.10.0.0/16', size: 24 }],
      bridge: 'br9',
      bip: '172.30.0.1/16',
      logLevel: 'warn',
      memory: true,
      tlsVerify: true,
    });
  });

  it('refuses unknown flags, missing values and bad log levels', () => {
    expect(() => parseDaemonArgs(['--frobnicate'])).toThrow('unknown flag: --frobnicate');
    expect(() => parseDaemonArgs(['--data-root'])).toThrow('flag needs an argument: --data-root');
    expect(() => parseDaemonArgs(['--log-level', 'chatty'])).toThrow('invalid log level: chatty');
  });

  it('parses listen addresses as dockerd', () => {
    expect(parseListenAddress('unix:///run/x.sock')).toEqual({ type: 'unix', path: '/run/x.sock' });
    expect(parseListenAddress('tcp://0.0.0.0:2376')).toEqual({ type: 'tcp', host: '0.0.0.0', port: 2376 });
    expect(parseListenAddress('tcp://:2375')).toEqual({ type: 'tcp', host: '0.0.0.0', port: 2375 });
    expect(parseListenAddress('tcp://[::1]')).toEqual({ type: 'tcp', host: '::1', port: 2376 });
    expect(() => parseListenAddress('fd://')).toThrow(/invalid bind address/);
  });
});

describe('config file', () => {
  it('merges daemon.json under the flags and defaults the socket', async () => {
    const dir = await tempDir();
    const file = join(dir, 'daemon.json');
    await writeFile(file, JSON.stringify({ 'registry-mirrors': ['https://mirror'], 'log-level': 'debug', 'data-root': '/srv/berth' }));
    const config = await loadDaemonConfig(['--config-file', file, '--memory']);
    expect(config).toMatchObject({
      hosts: ['unix:///run/berth/berthd.sock'],
      dataRoot: '/srv/berth',
      execRoot: '/run/berth',
      registryMirrors: ['https://mirror'],
      logLevel: 'debug',
      memory: true,
    });
  });

  it('refuses a directive given both ways, unknown keys and bad JSON', async () => {
    const dir = await tempDir();
    const file = join(dir, 'daemon.json');
    await writeFile(file, JSON.stringify({ 'data-root': '/a' }));
    await expect(loadDaemonConfig(['--config-file', file, '--data-root', '/b'])).rejects.toThrow(/both as a flag and in the configuration file: dataRoot/);
    await writeFile(file, JSON.stringify({ 'no-such-key': true }));
    await expect(loadDaemonConfig(['--config-file', file])).rejects.toThrow(/unable to configure the daemon/);
    await writeFile(file, '{');
    await expect(loadDaemonConfig(['--config-file', file])).rejects.toThrow(/unable to configure the daemon/);
  });
});
