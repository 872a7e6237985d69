import { describe, expect, it } from 'vitest';
import { parseContainerConfig } from '../../src/config/container-config.js';
import { mergeImageConfig } from '../../src/config/merge-image-config.js';
import { containerHostname, createRuntimeSpec } from '../../src/spec/container-spec.js';

const id = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2';
const root = { uid: 0, gid: 0, additionalGids: [0], home: '/root' };

function merged(input: Record<string, unknown>) {
  return mergeImageConfig(parseContainerConfig({ image: 'busybox', ...input }), { Cmd: ['sh'], Env: ['PATH=/bin'] });
}

describe('createRuntimeSpec', () => {
  it('builds the spec of a plain container', () => {
    const spec = createRuntimeSpec(merged({}), { id, rootfs: '/rootfs', user: root });
    expect(spec.process?.args).toEqual(['sh']);
    expect(spec.process?.env).toEqual(['PATH=/bin', `HOSTNAME=${id.slice(0, 12)}`, 'HOME=/root']);
    expect(spec.hostname).toBe(id.slice(0, 12));
    expect(spec.root).toEqual({ path: '/rootfs', readonly: false });
    expect(spec.linux?.cgroupsPath).toBe(`/berth/${id}`);
    expect(spec.linux?.sysctl?.['net.ipv4.ip_unprivileged_port_start']).toBe('0');
    expect(spec.mounts?.find((m) => m.destination === '/dev/shm')?.options).toContain('size=67108864');
    expect(spec.process?.rlimits).toBeUndefined();
    expect(spec.process?.oomScoreAdj).toBeUndefined();
  });

  it('applies every container setting', () => {
    const spec = createRuntimeSpec(
      merged({
        hostname: 'web',
        tty: true,
        workingDir: '/srv',
        init: true,
        readOnlyRootfs: true,
        capAdd: ['SYS_ADMIN'],
        tmpfs: { '/run': '' },
        mounts: [{ type: 'bind', source: '/host', target: '/data' }],
        resources: { memory: 32 << 20, pidsLimit: 5 },
        ulimits: [{ name: 'nofile', soft: 100, hard: 200 }],
        sysctls: { 'kernel.shmmax': '1000' },
        shmSize: 1 << 20,
        oomScoreAdj: 100,
      }),
      {
        id,
        rootfs: '/rootfs',
        user: { uid: 1000, gid: 1000, additionalGids: [1000], home: '/home/u' },
        initPath: '/usr/bin/catatonit',
        cgroupParent: '/test',
        extraMounts: [{ destination: '/etc/hosts', type: 'bind', source: '/c/hosts', options: ['rbind', 'ro'] }],
      },
    );
    expect(spec.process).toMatchObject({
      args: ['/sbin/docker-init', '--', 'sh'],
      terminal: true,
      cwd: '/srv',
      user: { uid: 1000, gid: 1000, additionalGids: [1000] },
      oomScoreAdj: 100,
      rlimits: [{ type: 'RLIMIT_NOFILE', soft: 100, hard: 200 }],
    });
    expect(spec.process?.env).toContain('TERM=xterm');
    expect(spec.process?.capabilities?.bounding).toContain('CAP_SYS_ADMIN');
    expect(spec.hostname).toBe('web');
    expect(spec.root?.readonly).toBe(true);
    const destinations = spec.mounts!.map((m) => m.destination);
    expect(destinations).toEqual(expect.arrayContaining(['/data', '/run', '/etc/hosts', '/sbin/docker-init']));
    expect(spec.mounts?.find((m) => m.destination === '/data')?.options).toEqual(['rbind', 'rprivate']);
    expect(spec.mounts?.find((m) => m.destination === '/dev/shm')?.options).toContain('size=1048576');
    expect(spec.linux?.resources).toMatchObject({ memory: { limit: 32 << 20, swap: 64 << 20 }, pids: { limit: 5 } });
    expect(spec.linux?.sysctl?.['kernel.shmmax']).toBe('1000');
    expect(spec.linux?.cgroupsPath).toBe(`/test/${id}`);
  });

  it('shares the host network without network sysctls, or joins a namespace', () => {
    const host = createRuntimeSpec(merged({}), { id, rootfs: '/r', user: root, network: { mode: 'host' } });
    expect(host.linux?.namespaces?.some((n) => n.type === 'network')).toBe(false);
    expect(host.linux?.sysctl).toEqual({});
    const joined = createRuntimeSpec(merged({}), { id, rootfs: '/r', user: root, network: { mode: 'join', path: '/run/netns/n' } });
    expect(joined.linux?.namespaces).toContainEqual({ type: 'network', path: '/run/netns/n' });
  });

  it('refuses what cannot run', () => {
    expect(() => createRuntimeSpec(merged({ init: true }), { id, rootfs: '/r', user: root })).toThrow(/no init binary/);
    expect(() => createRuntimeSpec(merged({ sysctls: { 'vm.swappiness': '1' } }), { id, rootfs: '/r', user: root })).toThrow(
      "sysctl 'vm.swappiness' is not allowed",
    );
    expect(() =>
      createRuntimeSpec(mergeImageConfig(parseContainerConfig({ image: 'x' }), {}), { id, rootfs: '/r', user: root }),
    ).toThrow('No command specified');
  });

  it('defaults the hostname to the short ID', () => {
    expect(containerHostname({}, id)).toBe('a1b2c3d4e5f6');
    expect(containerHostname({ hostname: 'h' }, id)).toBe('h');
  });
});
