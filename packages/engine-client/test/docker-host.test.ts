import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveDockerHost } from '@berth/engine-client';
import { describe, expect, it } from 'vitest';

describe('resolveDockerHost', () => {
  it('defaults to the unix socket, then DOCKER_HOST, then the option', () => {
    expect(resolveDockerHost({}, {})).toEqual({ kind: 'unix', socketPath: '/var/run/docker.sock' });
    expect(resolveDockerHost({}, { DOCKER_HOST: 'unix:///run/x.sock' })).toEqual({ kind: 'unix', socketPath: '/run/x.sock' });
    expect(resolveDockerHost({ host: 'tcp://10.0.0.1:2375' }, { DOCKER_HOST: 'unix:///run/x.sock' })).toEqual({
      kind: 'tcp',
      host: '10.0.0.1',
      port: 2375,
      tls: undefined,
    });
  });

  it('picks 2375 without TLS and 2376 with it, and accepts IPv6 literals', () => {
    expect(resolveDockerHost({ host: 'tcp://docker.example' }, {})).toMatchObject({ port: 2375, tls: undefined });
    expect(resolveDockerHost({ host: 'tcp://docker.example', tls: { verify: false } }, {})).toMatchObject({ port: 2376, tls: { verify: false } });
    expect(resolveDockerHost({ host: 'tcp://[::1]:1234' }, {})).toMatchObject({ host: '::1', port: 1234 });
  });

  it('reads ca.pem, cert.pem and key.pem from DOCKER_CERT_PATH, verifying only with DOCKER_TLS_VERIFY', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-certs-'));
    try {
      for (const name of ['ca.pem', 'cert.pem', 'key.pem']) await writeFile(join(dir, name), `${name} content`);
      const unverified = resolveDockerHost({ host: 'tcp://h' }, { DOCKER_CERT_PATH: dir });
      expect(unverified).toMatchObject({ port: 2376, tls: { verify: false } });
      const verified = resolveDockerHost({ host: 'tcp://h' }, { DOCKER_CERT_PATH: dir, DOCKER_TLS_VERIFY: '1' });
      expect(verified.kind === 'tcp' && verified.tls?.verify).toBe(true);
      expect(verified.kind === 'tcp' && String(verified.tls?.ca)).toBe('ca.pem content');
      expect(() => resolveDockerHost({ host: 'tcp://h' }, { DOCKER_CERT_PATH: join(dir, 'missing') })).toThrow(/could not read TLS file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses what it cannot parse as InvalidArgument', () => {
    for (const host of ['docker.sock', 'ssh://user@host', 'unix://relative.sock', 'tcp://h:99999']) {
      expect(() => resolveDockerHost({ host }, {})).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    }
  });
});
