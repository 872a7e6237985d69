import { readFileSync } from 'node:fs';
import {
  LINUX_NAMESPACE_TYPES,
  linuxResourcesSchema,
  OCI_RUNTIME_SPEC_VERSION,
  runtimeSpecSchema,
  type RuntimeSpec,
} from '@berth/spec';
import { describe, expect, it } from 'vitest';

// Written by `runc spec` (runc 1.1.5) — the reference document of the runtime we drive.
const runcSpec: unknown = JSON.parse(readFileSync(new URL('./fixtures/runc-spec.json', import.meta.url), 'utf8'));

/** A spec shaped like the one dockerd writes for `docker run --memory 64m -u 1000 busybox`. */
function dockerLikeSpec(): RuntimeSpec {
  return {
    ociVersion: OCI_RUNTIME_SPEC_VERSION,
    process: {
      user: { uid: 1000, gid: 1000, additionalGids: [10], umask: 0o022 },
      args: ['sh', '-c', 'echo hi'],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOSTNAME=abc'],
      cwd: '/',
      capabilities: { bounding: ['CAP_CHOWN'], effective: ['CAP_CHOWN'], permitted: ['CAP_CHOWN'] },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1048576, soft: 1048576 }],
      apparmorProfile: 'docker-default',
      oomScoreAdj: 0,
      noNewPrivileges: false,
    },
    root: { path: '/var/lib/berth/overlay/abc/merged' },
    hostname: 'abc',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/data', type: 'bind', source: '/srv/data', options: ['rbind', 'rprivate'] },
      {
        destination: '/mapped',
        type: 'bind',
        source: '/srv/mapped',
        options: ['rbind'],
        uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }],
        gidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }],
      },
    ],
    hooks: {
      createRuntime: [{ path: '/usr/bin/hook', args: ['hook', 'create'], env: ['A=1'], timeout: 5 }],
      poststop: [{ path: '/usr/bin/hook' }],
    },
    annotations: { 'org.opencontainers.image.ref.name': 'busybox' },
    linux: {
      uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }],
      gidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }],
      sysctl: { 'net.ipv4.ip_unprivileged_port_start': '0' },
      resources: {
        devices: [
          { allow: false, access: 'rwm' },
          { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
        ],
        memory: { limit: 67108864, swap: 134217728, disableOOMKiller: false },
        cpu: { shares: 1024, quota: 50000, period: 100000, cpus: '0-1' },
        pids: { limit: 100 },
        blockIO: { weight: 500, throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1048576 }] },
        hugepageLimits: [{ pageSize: '2MB', limit: 0 }],
        unified: { 'memory.high': '60M' },
      },
      cgroupsPath: 'system.slice:berth:abc',
      namespaces: LINUX_NAMESPACE_TYPES.filter((type) => type !== 'time').map((type) => ({ type })),
      devices: [{ type: 'c', path: '/dev/fuse', major: 10, minor: 229, fileMode: 0o666, uid: 0, gid: 0 }],
      seccomp: {
        defaultAction: 'SCMP_ACT_ERRNO',
        defaultErrnoRet: 1,
        architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
        syscalls: [
          { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
          { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0, op: 'SCMP_CMP_EQ' }] },
        ],
      },
      maskedPaths: ['/proc/kcore'],
      readonlyPaths: ['/proc/sys'],
      rootfsPropagation: 'rprivate',
    },
  };
}

describe('OCI runtime spec', () => {
  it('parses what runc spec writes, unchanged', () => {
    expect(runtimeSpecSchema.parse(runcSpec)).toEqual(runcSpec);
    expect((runcSpec as { ociVersion: string }).ociVersion).toBe(OCI_RUNTIME_SPEC_VERSION);
  });

  it('parses a docker-like spec with resources, seccomp, hooks and ID mappings', () => {
    const spec = dockerLikeSpec();
    const parsed = runtimeSpecSchema.parse(spec);
    expect(parsed).toEqual(spec);
    expect(parsed.linux?.resources?.memory?.limit).toBe(67108864);
    expect(parsed.linux?.namespaces?.map((namespace) => namespace.type)).toContain('cgroup');
  });

  it('keeps unknown fields at every level', () => {
    const spec = dockerLikeSpec() as Record<string, any>;
    spec['windows'] = { layerFolders: ['C:\\x'] };
    spec['process']['futureKnob'] = 1;
    spec['process']['user']['extra'] = 'x';
    spec['mounts'][0]['note'] = 'kept';
    spec['linux']['resources']['memory']['newLimit'] = 5;
    spec['linux']['resources']['blockIO']['throttleReadBpsDevice'][0]['burst'] = 2;
    spec['linux']['seccomp']['syscalls'][0]['comment'] = 'allow io';
    spec['linux']['intelRdt'] = { closID: 'berth', l3CacheSchema: 'L3:0=ff' };
    expect(runtimeSpecSchema.parse(spec)).toEqual(spec);
  });

  it('accepts nulls where Go writes them', () => {
    const spec = dockerLikeSpec() as Record<string, any>;
    spec['linux']['seccomp']['syscalls'][0]['args'] = null;
    spec['linux']['resources']['devices'][1]['major'] = null;
    expect(runtimeSpecSchema.safeParse(spec).success).toBe(true);
  });

  it.each<[string, (spec: Record<string, any>) => void]>([
    ['no ociVersion', (spec) => delete spec['ociVersion']],
    ['no process.cwd', (spec) => delete spec['process']['cwd']],
    ['no process.user', (spec) => delete spec['process']['user']],
    ['negative uid', (spec) => (spec['process']['user']['uid'] = -1)],
    ['fractional gid', (spec) => (spec['process']['user']['gid'] = 1.5)],
    ['unknown namespace type', (spec) => (spec['linux']['namespaces'] = [{ type: 'net' }])],
    ['mount without destination', (spec) => delete spec['mounts'][0]['destination']],
    ['hook without path', (spec) => (spec['hooks']['poststop'] = [{ args: [] }])],
    ['rlimit without soft', (spec) => delete spec['process']['rlimits'][0]['soft']],
    ['device cgroup rule without allow', (spec) => delete spec['linux']['resources']['devices'][0]['allow']],
    ['annotation with a non-string value', (spec) => (spec['annotations'] = { a: 1 })],
  ])('rejects a spec with %s', (_name, corrupt) => {
    const spec = dockerLikeSpec() as Record<string, any>;
    corrupt(spec);
    expect(runtimeSpecSchema.safeParse(spec).success).toBe(false);
  });

  it('validates resources on their own (for docker update)', () => {
    expect(linuxResourcesSchema.parse({ memory: { limit: -1 }, pids: { limit: 0 } })).toEqual({
      memory: { limit: -1 },
      pids: { limit: 0 },
    });
    expect(linuxResourcesSchema.safeParse({ cpu: { shares: -2 } }).success).toBe(false);
  });
});
