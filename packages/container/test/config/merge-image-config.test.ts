import { describe, expect, it } from 'vitest';
import { DEFAULT_PATH, mergeImageConfig, processArgs, processEnv, replaceOrAppendEnv } from '../../src/config/merge-image-config.js';

const image = {
  Entrypoint: ['/docker-entrypoint.sh'],
  Cmd: ['nginx', '-g', 'daemon off;'],
  Env: ['PATH=/usr/bin:/bin', 'NGINX_VERSION=1.25'],
  User: 'www',
  WorkingDir: '/srv',
  Labels: { maintainer: 'x', tier: 'image' },
  StopSignal: 'SIGQUIT',
  Volumes: { '/var/cache': {}, '/data': {} },
  Healthcheck: { Test: ['CMD', 'true'], Interval: 5e9, Retries: 3 },
};

describe('mergeImageConfig', () => {
  it('inherits entrypoint and cmd when the user gives neither', () => {
    const merged = mergeImageConfig({ image: 'nginx' }, image);
    expect(processArgs(merged)).toEqual(['/docker-entrypoint.sh', 'nginx', '-g', 'daemon off;']);
  });

  it('keeps the image entrypoint with a user cmd', () => {
    const merged = mergeImageConfig({ image: 'nginx', cmd: ['sh'] }, image);
    expect(processArgs(merged)).toEqual(['/docker-entrypoint.sh', 'sh']);
  });

  it('drops the image cmd when the user gives an entrypoint', () => {
    const merged = mergeImageConfig({ image: 'nginx', entrypoint: ['/bin/echo'] }, image);
    expect(processArgs(merged)).toEqual(['/bin/echo']);
  });

  it("clears the entrypoint with [''] and does not inherit cmd then, as docker", () => {
    const merged = mergeImageConfig({ image: 'nginx', entrypoint: [''], cmd: ['ls'] }, image);
    expect(processArgs(merged)).toEqual(['ls']);
    expect(() => processArgs(mergeImageConfig({ image: 'nginx', entrypoint: [''] }, image))).toThrow('No command specified');
  });

  it('clears the entrypoint with [] but inherits cmd', () => {
    const merged = mergeImageConfig({ image: 'nginx', entrypoint: [] }, image);
    expect(processArgs(merged)).toEqual(['nginx', '-g', 'daemon off;']);
  });

  it('merges env by key, user first, and labels with user priority', () => {
    const merged = mergeImageConfig({ image: 'nginx', env: ['NGINX_VERSION=2', 'A=1'], labels: { tier: 'user' } }, image);
    expect(merged.env).toEqual(['NGINX_VERSION=2', 'A=1', 'PATH=/usr/bin:/bin']);
    expect(merged.labels).toEqual({ maintainer: 'x', tier: 'user' });
  });

  it('inherits user, working dir, stop signal, volumes and healthcheck', () => {
    const merged = mergeImageConfig({ image: 'nginx', healthcheck: { retries: 5 } }, image);
    expect(merged).toMatchObject({ user: 'www', workingDir: '/srv', stopSignal: 'SIGQUIT', imageVolumes: ['/data', '/var/cache'] });
    expect(merged.healthcheck).toEqual({ test: ['CMD', 'true'], intervalNs: 5e9, retries: 5 });
    expect(mergeImageConfig({ image: 'x', user: '1000', workingDir: '/w' }, image)).toMatchObject({ user: '1000', workingDir: '/w' });
  });

  it('works without an image config', () => {
    const merged = mergeImageConfig({ image: 'scratch', cmd: ['/app'] });
    expect(merged).toMatchObject({ entrypoint: [], cmd: ['/app'], env: [], user: '', workingDir: '', labels: {} });
  });
});

describe('processEnv', () => {
  it('starts from PATH, HOSTNAME and TERM, replaced by the config env, then HOME', () => {
    expect(processEnv(['A=1'], { hostname: 'box', tty: true, home: '/root' })).toEqual([
      `PATH=${DEFAULT_PATH}`,
      'HOSTNAME=box',
      'TERM=xterm',
      'A=1',
      'HOME=/root',
    ]);
    expect(processEnv(['PATH=/x', 'HOME=/h'], { hostname: 'b', home: '/root' })).toEqual(['PATH=/x', 'HOSTNAME=b', 'HOME=/h']);
  });

  it('drops entries without "=", which unset a variable as in dockerd (`-e FOO` with FOO unset on the client)', () => {
    expect(processEnv(['FOO', 'A=1', 'PATH'], { hostname: 'b' })).toEqual(['HOSTNAME=b', 'A=1']);
  });

  it('replaceOrAppendEnv replaces by key', () => {
    expect(replaceOrAppendEnv(['A=1', 'B=2'], ['B=3', 'C'])).toEqual(['A=1', 'B=3', 'C']);
  });
});
