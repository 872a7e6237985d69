import {
  containerCreateOptionsFromWire,
  containerInspectToWire,
  containerSummaryToWire,
  engineInfoToWire,
  eventToWire,
  execInspectToWire,
  networkCreateOptionsFromWire,
  networkToWire,
  volumeToWire,
} from '@berth/docker-api';
import type { ContainerCreateOptions, ContainerInspect, EngineEvent, EngineInfo, NetworkInspect, Volume } from '@berth/engine';
import { describe, expect, it } from 'vitest';
import {
  containerCreateToWire,
  containerInspectFromWire,
  containerSummaryFromWire,
  eventFromWire,
  execInspectFromWire,
  infoFromWire,
  networkCreateToWire,
  networkFromWire,
  volumeFromWire,
} from '../src/wire-codec.js';

// The client's codec is the inverse of berthd's (docker-api codec/): what berthd writes, the
// client must read back as the same engine value, and what the client sends, berthd must read
// as the same options.
describe('wire codec round trips through berthd\'s codec', () => {
  it('sends create options that berthd reads back unchanged', () => {
    const options: ContainerCreateOptions = {
      image: 'busybox:latest',
      name: 'web',
      cmd: ['sh', '-c', 'echo hi'],
      entrypoint: ['/bin/init'],
      env: ['A=1'],
      user: '1000:1000',
      workingDir: '/srv',
      hostname: 'box',
      labels: { role: 'web' },
      tty: true,
      openStdin: true,
      stdinOnce: true,
      stopSignal: 'SIGINT',
      stopTimeout: 3,
      init: true,
      readOnlyRootfs: true,
      tmpfs: { '/run': 'size=64m' },
      mounts: [
        { type: 'volume', source: 'data', target: '/data', readOnly: true },
        { type: 'bind', source: '/etc/hosts', target: '/hosts', propagation: 'rslave' },
        { type: 'tmpfs', target: '/scratch', sizeBytes: 1024 },
      ],
      capAdd: ['NET_ADMIN'],
      capDrop: ['MKNOD'],
      privileged: false,
      resources: { memory: 64 * 1024 * 1024, nanoCpus: 5e8, pidsLimit: 100 },
      ulimits: [{ name: 'nofile', soft: 1024, hard: 2048 }],
      sysctls: { 'net.ipv4.ip_forward': '1' },
      shmSize: 1 << 20,
      restartPolicy: { name: 'on-failure', maximumRetryCount: 2 },
      healthcheck: { test: ['CMD', 'true'], intervalNs: 1e9, retries: 3 },
      networkMode: 'backend',
      exposedPorts: ['53/udp'],
      portBindings: { '80/tcp': [{ hostIp: '127.0.0.1', hostPort: '8080' }] },
      autoRemove: true,
      extraHosts: ['db:10.0.0.2'],
      dns: ['1.1.1.1'],
      volumesFrom: ['db', 'cache:ro'],
      networks: { backend: { aliases: ['api'], ipv4Address: '10.1.0.5' } },
    };
    const { body, query } = containerCreateToWire(options);
    const read = containerCreateOptionsFromWire(body as never, query);
    // `-p` also exposes the port, as the docker CLI does.
    expect(read).toEqual({ ...options, exposedPorts: ['53/udp', '80/tcp'] });
  });

  it('reads berthd\'s container inspect back as the same view', () => {
    const view: ContainerInspect = {
      id: 'c'.repeat(64),
      name: 'web',
      created: new Date('2026-01-02T03:04:05.678Z'),
      path: 'sh',
      args: ['-c', 'sleep 1'],
      state: {
        status: 'running',
        pid: 42,
        exitCode: 0,
        error: '',
        oomKilled: false,
        startedAt: new Date('2026-01-02T03:04:06Z'),
        restartCount: 0,
        manuallyStopped: false,
        restartCanceled: false,
        health: { status: 'healthy', failingStreak: 0, log: [{ start: new Date('2026-01-02T03:04:07Z'), end: new Date('2026-01-02T03:04:08Z'), exitCode: 0, output: 'ok' }] },
      },
      image: `sha256:${'a'.repeat(64)}`,
      imageName: 'busybox:latest',
      restartCount: 0,
      driver: 'overlayfs',
      platform: 'linux',
      mountLabel: '',
      logPath: '/var/log/c.log',
      config: { image: 'busybox:latest', name: 'web', env: ['PATH=/bin'], cmd: ['sh'], entrypoint: [], labels: { a: 'b' }, tty: false, openStdin: false, stdinOnce: false },
      hostConfig: {
        networkMode: 'bridge',
        portBindings: { '80/tcp': [{ hostIp: '', hostPort: '8080' }] },
        publishAllPorts: false,
        restartPolicy: { name: 'no' },
        autoRemove: false,
        resources: { memory: 1 << 26 },
      },
      networkSettings: {
        ports: { '80/tcp': [{ containerPort: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080 }] },
        networks: {
          bridge: {
            endpointId: 'e'.repeat(64),
            containerId: 'c'.repeat(64),
            containerName: 'web',
            aliases: [],
            ipv4Address: '172.17.0.2/16',
            gateway: '172.17.0.1',
            macAddress: '02:42:ac:11:00:02',
            ports: [],
          },
        },
        sandboxKey: '/var/run/netns/x',
      },
      mounts: [{ type: 'volume', name: 'data', source: '/var/lib/v/data', destination: '/data', driver: 'local', mode: 'z', rw: true }],
      execIds: [],
    };
    const read = containerInspectFromWire(containerInspectToWire(view));
    expect(read.state).toEqual(view.state);
    expect(read.created).toEqual(view.created);
    expect(read.networkSettings).toEqual(view.networkSettings);
    expect(read.mounts).toEqual(view.mounts);
    expect(read.hostConfig).toEqual(view.hostConfig);
    expect(read.config).toMatchObject(view.config);
    expect({ ...read, state: 0, config: 0, hostConfig: 0, networkSettings: 0, mounts: 0 }).toEqual({ ...view, state: 0, config: 0, hostConfig: 0, networkSettings: 0, mounts: 0 });
  });

  it('reads summaries, execs, volumes, networks, events and info back', () => {
    const summary = {
      id: 'c'.repeat(64),
      names: ['web'],
      image: 'busybox',
      imageId: `sha256:${'a'.repeat(64)}`,
      command: 'sh -c true',
      created: new Date(1_700_000_000_000),
      state: 'exited' as const,
      status: 'Exited (0) 1 second ago',
      ports: [{ containerPort: 80, protocol: 'tcp' as const, hostIp: '0.0.0.0', hostPort: 8080 }],
      labels: { a: 'b' },
      networks: ['bridge'],
      mounts: ['data'],
    };
    expect(containerSummaryFromWire(containerSummaryToWire(summary))).toEqual(summary);

    const exec = {
      id: 'x'.repeat(64),
      containerId: 'c'.repeat(64),
      running: false,
      exitCode: 4,
      pid: 0,
      processConfig: { entrypoint: 'sh', arguments: ['-c', 'exit 4'], user: '', tty: false, privileged: false },
      openStdin: false,
      openStdout: true,
      openStderr: true,
    };
    expect(execInspectFromWire(execInspectToWire(exec))).toEqual(exec);

    const volume: Volume = {
      name: 'data',
      driver: 'local',
      mountpoint: '/var/lib/berth/volumes/data/_data',
      createdAt: new Date('2026-01-02T03:04:05Z'),
      labels: { a: 'b' },
      options: {},
      scope: 'local',
      usageData: { size: -1, refCount: 0 },
    };
    expect(volumeFromWire(volumeToWire(volume))).toEqual(volume);

    const network: NetworkInspect = {
      id: 'n'.repeat(64),
      name: 'backend',
      driver: 'bridge',
      scope: 'local',
      created: '2026-01-02T03:04:05.000Z',
      internal: false,
      attachable: true,
      enableIpv6: false,
      ipam: { driver: 'default', config: [{ subnet: '10.1.0.0/24', gateway: '10.1.0.1' }] },
      labels: { a: 'b' },
      options: {},
      containers: {},
    };
    expect(networkFromWire(networkToWire(network))).toEqual(network);
    expect(networkCreateOptionsFromWire(networkCreateToWire({ name: 'backend', labels: { a: 'b' }, ipam: { config: [{ subnet: '10.1.0.0/24' }] } }) as never)).toMatchObject({
      name: 'backend',
      labels: { a: 'b' },
      ipam: { config: [{ subnet: '10.1.0.0/24' }] },
    });

    const event = {
      type: 'container',
      action: 'exec_start',
      actor: { id: 'c'.repeat(64), attributes: { execID: 'e1', commandLine: 'sh -c true' } },
      scope: 'local',
      time: new Date(1_700_000_000_123),
      seq: 7,
    } as EngineEvent;
    expect(eventFromWire(eventToWire(event), 7)).toEqual(event);

    const info: EngineInfo = {
      id: 'ID',
      name: 'berthd-memory',
      containers: 3,
      containersRunning: 1,
      containersPaused: 1,
      containersStopped: 1,
      images: 2,
      driver: 'copy',
      dataRoot: '/var/lib/berth',
      operatingSystem: 'Debian',
      osType: 'linux',
      architecture: 'x86_64',
      kernelVersion: '6.1',
      ncpu: 2,
      memTotal: 1 << 30,
      serverVersion: '0.1.0',
      plugins: { volume: ['local'], network: ['bridge'] },
      defaultRuntime: 'fake',
      engineKind: 'memory',
      warnings: [],
    };
    expect(infoFromWire(engineInfoToWire(info))).toEqual(info);
  });
});
