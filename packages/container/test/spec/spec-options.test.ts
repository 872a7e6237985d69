import { errorCode } from '@berth/errdefs';
import type { RuntimeSpec } from '@berth/spec';
import { describe, expect, it } from 'vitest';
import { ALL_CAPABILITIES, DEFAULT_CAPABILITIES, normalizeCapability, tweakCapabilities } from '../../src/spec/capabilities.js';
import { DEFAULT_MASKED_PATHS, defaultRuntimeSpec } from '../../src/spec/default-spec.js';
import { mergeTmpfsOptions, parseByteSize } from '../../src/spec/mount-options.js';
import { containerRuntimeMounts } from '../../src/spec/runtime-mounts.js';
import { serializeRuntimeSpec } from '../../src/spec/serialize.js';
import { buildRuntimeSpec, type SpecOption } from '../../src/spec/spec-option.js';
import { withCapabilities } from '../../src/spec/with-capabilities.js';
import { withHostname } from '../../src/spec/with-hostname.js';
import { CONTAINER_INIT_PATH, withInit } from '../../src/spec/with-init.js';
import { withMounts, withShmSize } from '../../src/spec/with-mounts.js';
import { withAnnotations, withCgroupsPath, withNamespace, withoutNamespace } from '../../src/spec/with-namespaces.js';
import { withPrivileged } from '../../src/spec/with-privileged.js';
import { withCwd, withEnv, withOomScoreAdj, withProcessArgs, withTerminal } from '../../src/spec/with-process.js';
import { linuxResourcesFor, withResources } from '../../src/spec/with-resources.js';
import { RLIM_INFINITY, withRlimits } from '../../src/spec/with-rlimits.js';
import { withReadonlyRootfs, withRootfs } from '../../src/spec/with-rootfs.js';
import { validateSysctls, withDefaultNetworkSysctls, withSysctls } from '../../src/spec/with-sysctls.js';
import { withUser } from '../../src/spec/with-user.js';

const build = (...options: SpecOption[]): RuntimeSpec => buildRuntimeSpec(defaultRuntimeSpec(), options);
const mount = (spec: RuntimeSpec, destination: string) => spec.mounts?.find((m) => m.destination === destination);

describe('buildRuntimeSpec', () => {
  it('applies options in order to a copy of the base', () => {
    const base = defaultRuntimeSpec();
    const spec = buildRuntimeSpec(base, [withCwd('/a'), withCwd('/b')]);
    expect(spec.process?.cwd).toBe('/b');
    expect(base.process?.cwd).toBe('/');
  });

  it('reports an option that produced an invalid spec as Internal', () => {
    const broken: SpecOption = (spec) => {
      (spec as { ociVersion: unknown }).ociVersion = 5;
    };
    expect(() => build(broken)).toThrow(expect.objectContaining({ code: 'Internal' }));
  });
});

describe('the default spec', () => {
  it('is docker’s: capabilities, namespaces, masked paths, no rlimits, no seccomp', () => {
    const spec = build();
    expect(spec.process?.capabilities?.bounding).toEqual(DEFAULT_CAPABILITIES);
    expect(spec.process?.capabilities?.inheritable).toBeUndefined();
    expect(spec.process?.rlimits).toBeUndefined();
    expect(spec.linux?.seccomp).toBeUndefined();
    expect(spec.linux?.namespaces?.map((n) => n.type)).toEqual(['mount', 'network', 'uts', 'pid', 'ipc']);
    expect(spec.linux?.maskedPaths).toEqual(DEFAULT_MASKED_PATHS);
    expect(spec.linux?.readonlyPaths).toContain('/proc/sys');
    expect(spec.mounts?.map((m) => m.destination)).toEqual(['/proc', '/dev', '/dev/pts', '/sys', '/sys/fs/cgroup', '/dev/mqueue', '/dev/shm']);
    expect(spec.linux?.resources?.devices?.[0]).toEqual({ allow: false, access: 'rwm' });
    expect(spec.linux?.resources?.devices).toContainEqual({ allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' });
  });
});

describe('process options', () => {
  it('set args, env, cwd, terminal and OOM score', () => {
    const spec = build(withProcessArgs(['sh']), withEnv(['A=1']), withCwd(''), withTerminal(true), withOomScoreAdj(-5));
    expect(spec.process).toMatchObject({ args: ['sh'], env: ['A=1'], cwd: '/', terminal: true, oomScoreAdj: -5 });
  });

  it('withUser sets ids and deduplicated additional gids only', () => {
    const spec = build(withUser({ uid: 5, gid: 6, additionalGids: [6, 7, 6] }));
    expect(spec.process?.user).toEqual({ uid: 5, gid: 6, additionalGids: [6, 7] });
  });

  it('withHostname sets hostname and domain name', () => {
    expect(build(withHostname('web', 'example.org'))).toMatchObject({ hostname: 'web', domainname: 'example.org' });
    expect(build(withHostname('web')).domainname).toBeUndefined();
  });
});

describe('capabilities', () => {
  it('normalizes names', () => {
    expect(normalizeCapability('net_admin')).toBe('CAP_NET_ADMIN');
    expect(normalizeCapability('CAP_SYS_ADMIN')).toBe('CAP_SYS_ADMIN');
    expect(normalizeCapability('all')).toBe('ALL');
    expect(() => normalizeCapability('FLY')).toThrow('unknown capability: "FLY"');
  });

  it('adds and drops from the default set, docker style', () => {
    const caps = tweakCapabilities({ add: ['NET_ADMIN'], drop: ['MKNOD', 'net_raw'] });
    expect(caps).toContain('CAP_NET_ADMIN');
    expect(caps).not.toContain('CAP_MKNOD');
    expect(caps).not.toContain('CAP_NET_RAW');
    expect(caps).toHaveLength(DEFAULT_CAPABILITIES.length - 1);
    expect(tweakCapabilities({ drop: ['ALL'], add: ['CHOWN'] })).toEqual(['CAP_CHOWN']);
    expect(tweakCapabilities({ add: ['ALL'] })).toEqual(ALL_CAPABILITIES);
    expect(tweakCapabilities({ privileged: true, drop: ['ALL'] })).toEqual(ALL_CAPABILITIES);
  });

  it('withCapabilities sets bounding, effective and permitted', () => {
    const spec = build(withCapabilities(['CAP_CHOWN']));
    expect(spec.process?.capabilities).toEqual({ bounding: ['CAP_CHOWN'], effective: ['CAP_CHOWN'], permitted: ['CAP_CHOWN'] });
  });
});

describe('withPrivileged', () => {
  it('grants everything and unmasks', () => {
    const device = { type: 'c', path: '/dev/kvm', major: 10, minor: 232, fileMode: 0o660, uid: 0, gid: 0 };
    const spec = build(withReadonlyRootfs(false), withPrivileged([device]));
    expect(spec.process?.capabilities?.bounding).toEqual(ALL_CAPABILITIES);
    expect(spec.linux?.maskedPaths).toEqual([]);
    expect(spec.linux?.readonlyPaths).toEqual([]);
    expect(spec.linux?.devices).toEqual([device]);
    expect(spec.linux?.resources?.devices).toEqual([{ allow: true, access: 'rwm' }]);
    expect(mount(spec, '/sys')?.options).not.toContain('ro');
    expect(mount(spec, '/sys/fs/cgroup')?.options).not.toContain('ro');
  });
});

describe('root file system', () => {
  it('withRootfs sets the path', () => {
    expect(build(withRootfs('/var/lib/x/rootfs')).root?.path).toBe('/var/lib/x/rootfs');
  });

  it('withReadonlyRootfs makes root and default mounts read-only except proc and dev ones', () => {
    const spec = build(withReadonlyRootfs());
    expect(spec.root?.readonly).toBe(true);
    expect(mount(spec, '/sys/fs/cgroup')?.options?.filter((o) => o === 'ro')).toHaveLength(1);
    for (const writable of ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue']) {
      expect(mount(spec, writable)?.options).not.toContain('ro');
    }
  });
});

describe('mounts', () => {
  it('withMounts replaces defaults at the same destination and sorts parents first', () => {
    const spec = build(
      withMounts([
        { destination: '/data/sub', type: 'bind', source: '/b', options: ['rbind'] },
        { destination: '/dev/shm', type: 'bind', source: '/host/shm', options: ['rbind'] },
        { destination: '/data', type: 'bind', source: '/a', options: ['rbind'] },
      ]),
    );
    expect(spec.mounts?.filter((m) => m.destination === '/dev/shm')).toEqual([
      { destination: '/dev/shm', type: 'bind', source: '/host/shm', options: ['rbind'] },
    ]);
    const order = spec.mounts!.map((m) => m.destination);
    expect(order.indexOf('/data')).toBeLessThan(order.indexOf('/data/sub'));
  });

  it('a user /dev replaces every default mount under /dev', () => {
    const spec = build(withMounts([{ destination: '/dev', type: 'bind', source: '/dev', options: ['rbind'] }]));
    expect(spec.mounts?.filter((m) => m.destination.startsWith('/dev'))).toHaveLength(1);
  });

  it('withShmSize sets the size of /dev/shm once', () => {
    const spec = build(withShmSize(1), withShmSize(1 << 20));
    expect(mount(spec, '/dev/shm')?.options).toEqual(['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=1048576']);
  });

  it('converts config mounts: binds, tmpfs and volumes', () => {
    const mounts = containerRuntimeMounts(
      {
        mounts: [
          { type: 'bind', source: '/srv', target: '/srv', readOnly: true },
          { type: 'bind', source: '/a', target: '/b', nonRecursive: true, propagation: 'rshared' },
          { type: 'tmpfs', target: '/scratch', sizeBytes: 1024, mode: 0o700 },
          { type: 'volume', source: 'data', target: '/var/lib/data' },
        ],
        tmpfs: { '/run': 'exec,size=64m' },
      },
      (m) => `/volumes/${m.source}/_data`,
    );
    expect(mounts).toEqual([
      { destination: '/srv', type: 'bind', source: '/srv', options: ['rbind', 'ro', 'rprivate'] },
      { destination: '/b', type: 'bind', source: '/a', options: ['bind', 'rshared'] },
      { destination: '/scratch', type: 'tmpfs', source: 'tmpfs', options: ['noexec', 'nosuid', 'nodev', 'rprivate', 'size=1024', 'mode=700'] },
      { destination: '/var/lib/data', type: 'bind', source: '/volumes/data/_data', options: ['rbind', 'rprivate'] },
      { destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'rprivate', 'exec', 'size=64m'] },
    ]);
  });

  it('refuses volume mounts without a resolver', () => {
    expect(() => containerRuntimeMounts({ mounts: [{ type: 'volume', source: 'v', target: '/v' }] })).toThrow(
      expect.objectContaining({ code: 'NotImplemented' }),
    );
  });

  it('merges tmpfs options, later wins', () => {
    expect(mergeTmpfsOptions(['noexec', 'size=1m', 'defaults', 'exec', 'size=2m', 'ro'])).toEqual(['exec', 'size=2m', 'ro']);
    expect(() => mergeTmpfsOptions(['bogus=1'])).toThrow('invalid tmpfs option "bogus=1"');
  });

  it('parses byte sizes', () => {
    expect(parseByteSize('64m')).toBe(64 * 1024 * 1024);
    expect(parseByteSize('1.5k')).toBe(1536);
    expect(parseByteSize('10')).toBe(10);
    expect(() => parseByteSize('lots')).toThrow(/invalid size/);
  });
});

describe('withInit', () => {
  it('puts the init in front of the args and mounts it read-only', () => {
    const spec = build(withProcessArgs(['sleep', '1']), withInit('/usr/bin/catatonit'));
    expect(spec.process?.args).toEqual([CONTAINER_INIT_PATH, '--', 'sleep', '1']);
    expect(mount(spec, CONTAINER_INIT_PATH)).toEqual({
      destination: CONTAINER_INIT_PATH,
      type: 'bind',
      source: '/usr/bin/catatonit',
      options: ['bind', 'ro'],
    });
  });
});

describe('resources', () => {
  it('derives docker’s limits', () => {
    expect(
      linuxResourcesFor({ memory: 64 << 20, memoryReservation: 32 << 20, cpuShares: 1, nanoCpus: 1.5e9, cpusetCpus: '0', pidsLimit: 10, blkioWeight: 300 }),
    ).toEqual({
      memory: { limit: 64 << 20, reservation: 32 << 20, swap: 128 << 20 },
      cpu: { shares: 2, cpus: '0', period: 100000, quota: 150000 },
      pids: { limit: 10 },
      blockIO: { weight: 300 },
    });
    expect(linuxResourcesFor({ memory: 64 << 20, memorySwap: -1 }).memory).toEqual({ limit: 64 << 20, swap: -1 });
    expect(linuxResourcesFor({ memory: 64 << 20 }, { swapLimit: false }).memory).toEqual({ limit: 64 << 20 });
    expect(linuxResourcesFor({ cpuPeriod: 50000, cpuQuota: 25000, pidsLimit: -1 })).toEqual({
      cpu: { period: 50000, quota: 25000 },
      pids: { limit: -1 },
    });
    expect(linuxResourcesFor({ pidsLimit: 0 })).toEqual({});
  });

  it('withResources keeps the device rules', () => {
    const spec = build(withResources({ memory: 8 << 20 }));
    expect(spec.linux?.resources?.memory?.limit).toBe(8 << 20);
    expect(spec.linux?.resources?.devices?.length).toBeGreaterThan(1);
  });
});

describe('rlimits', () => {
  it('sets nothing without ulimits, so the host limits are inherited', () => {
    expect(build(withRlimits([])).process?.rlimits).toBeUndefined();
  });

  it('maps ulimits, unlimited written exactly as RLIM_INFINITY', () => {
    const spec = build(withRlimits([
      { name: 'nofile', soft: 1024, hard: 2048 },
      { name: 'memlock', soft: -1, hard: -1 },
    ]));
    expect(spec.process?.rlimits).toEqual([
      { type: 'RLIMIT_NOFILE', soft: 1024, hard: 2048 },
      { type: 'RLIMIT_MEMLOCK', soft: RLIM_INFINITY, hard: RLIM_INFINITY },
    ]);
    const text = serializeRuntimeSpec(spec);
    expect(text).toContain('"soft": 18446744073709551615');
    expect(text).toContain('"hard": 18446744073709551615');
    expect(text).toContain('"soft": 1024');
  });
});

describe('sysctls and namespaces', () => {
  it('validates namespaced sysctls', () => {
    expect(() => validateSysctls({ 'kernel.shmmax': '1', 'fs.mqueue.msg_max': '1', 'net.ipv4.ip_forward': '1' })).not.toThrow();
    expect(() => validateSysctls({ 'kernel.panic': '1' })).toThrow("sysctl 'kernel.panic' is not allowed");
    try {
      validateSysctls({ 'net.core.somaxconn': '1' }, { hostNetwork: true });
      expect.unreachable();
    } catch (err) {
      expect(errorCode(err)).toBe('InvalidArgument');
    }
  });

  it('sets sysctls, later values winning over the network defaults', () => {
    const spec = build(withDefaultNetworkSysctls(), withSysctls({ 'net.ipv4.ip_unprivileged_port_start': '1024' }));
    expect(spec.linux?.sysctl).toEqual({ 'net.ipv4.ping_group_range': '0 2147483647', 'net.ipv4.ip_unprivileged_port_start': '1024' });
  });

  it('joins, adds and removes namespaces; sets cgroups path and annotations', () => {
    const spec = build(
      withNamespace('network', '/run/netns/x'),
      withoutNamespace('ipc'),
      withNamespace('cgroup'),
      withCgroupsPath('/berth/abc'),
      withAnnotations({ a: 'b' }),
    );
    expect(spec.linux?.namespaces).toEqual([{ type: 'mount' }, { type: 'network', path: '/run/netns/x' }, { type: 'uts' }, { type: 'pid' }, { type: 'cgroup' }]);
    expect(spec.linux?.cgroupsPath).toBe('/berth/abc');
    expect(spec.annotations).toEqual({ a: 'b' });
  });
});
