import { errorCode } from '@berth/errdefs';
import { describe, expect, it } from 'vitest';
import { parseContainerConfig } from '../../src/config/container-config.js';

function problem(input: unknown): string {
  try {
    parseContainerConfig(input);
  } catch (err) {
    expect(errorCode(err)).toBe('InvalidArgument');
    return (err as Error).message;
  }
  throw new Error('expected the config to be refused');
}

describe('parseContainerConfig', () => {
  it('accepts a minimal config and a full one', () => {
    expect(parseContainerConfig({ image: 'busybox' })).toEqual({ image: 'busybox' });
    const full = parseContainerConfig({
      image: 'busybox',
      entrypoint: ['/bin/sh'],
      cmd: ['-c', 'true'],
      env: ['A=1'],
      user: 'nobody:nogroup',
      workingDir: '/tmp',
      hostname: 'box',
      labels: { a: 'b' },
      tty: true,
      openStdin: true,
      stopSignal: 'SIGINT',
      stopTimeout: 3,
      init: true,
      readOnlyRootfs: true,
      tmpfs: { '/run': 'size=1m' },
      mounts: [{ type: 'bind', source: '/srv', target: '/data', readOnly: true }],
      capAdd: ['NET_ADMIN'],
      capDrop: ['MKNOD'],
      resources: { memory: 64 * 1024 * 1024, memorySwap: -1, cpuShares: 512, pidsLimit: 100, blkioWeight: 500 },
      ulimits: [{ name: 'nofile', soft: 1024, hard: 2048 }],
      sysctls: { 'net.ipv4.ip_forward': '1' },
      shmSize: 1 << 20,
      oomScoreAdj: 500,
      restartPolicy: { name: 'on-failure', maximumRetryCount: 3 },
    });
    expect(full.mounts?.[0]).toEqual({ type: 'bind', source: '/srv', target: '/data', readOnly: true });
  });

  it('refuses unknown keys, naming them', () => {
    expect(problem({ image: 'busybox', memory: 5 })).toMatch(/memory/);
  });

  it('uses docker wording for cross-field rules', () => {
    expect(problem({ image: 'b', workingDir: 'tmp' })).toBe(
      "the working directory 'tmp' is invalid, it needs to be an absolute path",
    );
    expect(problem({ image: 'b', resources: { memory: 1024 } })).toBe('Minimum memory limit allowed is 6MB');
    expect(problem({ image: 'b', resources: { memorySwap: 1 << 30 } })).toBe(
      'You should always set the Memory limit when using Memoryswap limit, see usage',
    );
    expect(problem({ image: 'b', resources: { memory: 1 << 30, memorySwap: 1 << 29 } })).toMatch(/memoryswap limit should be larger/);
    expect(problem({ image: 'b', resources: { nanoCpus: 1e9, cpuPeriod: 100000 } })).toMatch(/Nano CPUs and CPU Period/);
    expect(problem({ image: 'b', oomScoreAdj: 1001 })).toBe('Invalid value 1001, range for oom score adj is [-1000, 1000]');
    expect(problem({ image: 'b', stopSignal: 'SIGNOPE' })).toBe('Invalid signal: SIGNOPE');
    expect(problem({ image: 'b', restartPolicy: { name: 'always', maximumRetryCount: 2 } })).toMatch(/only be used with 'on-failure'/);
    expect(problem({ image: 'b', restartPolicy: { name: 'on-failure', maximumRetryCount: -1 } })).toMatch(/can not be negative/);
  });

  it('refuses duplicate mount points, mounts on / and relative targets', () => {
    expect(
      problem({
        image: 'b',
        tmpfs: { '/data': '' },
        mounts: [{ type: 'bind', source: '/srv', target: '/data/' }],
      }),
    ).toBe('Duplicate mount point: /data');
    expect(problem({ image: 'b', mounts: [{ type: 'tmpfs', target: '/' }] })).toMatch(/can't be '\/'/);
    expect(problem({ image: 'b', mounts: [{ type: 'bind', source: 'rel', target: '/x' }] })).toMatch(/absolute path/);
  });

  it('checks ulimits', () => {
    expect(problem({ image: 'b', ulimits: [{ name: 'nofile', soft: 10, hard: 5 }] })).toMatch(/soft limit must be less/);
    expect(problem({ image: 'b', ulimits: [{ name: 'bogus', soft: 1, hard: 1 }] })).toMatch(/invalid ulimit type/);
    expect(
      problem({
        image: 'b',
        ulimits: [
          { name: 'nofile', soft: 1, hard: 1 },
          { name: 'nofile', soft: 2, hard: 2 },
        ],
      }),
    ).toBe('duplicate ulimit: nofile');
    expect(parseContainerConfig({ image: 'b', ulimits: [{ name: 'memlock', soft: -1, hard: -1 }] }).ulimits).toHaveLength(1);
  });
});
