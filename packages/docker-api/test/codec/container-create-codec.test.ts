import { describe, expect, it } from 'vitest';
import {
  ContainerCreateRequestSchema,
  bindFromWire,
  containerCreateOptionsFromWire,
  containerUpdateFromWire,
  execCreateOptionsFromWire,
  mountFromWire,
} from '@berth/docker-api';

describe('containerCreateOptionsFromWire', () => {
  it('translates what the docker CLI sends for `docker run`', () => {
    const request = ContainerCreateRequestSchema.parse({
      Image: 'busybox',
      Cmd: ['sh', '-c', 'echo hi'],
      Entrypoint: null,
      Env: ['A=1'],
      Tty: true,
      OpenStdin: true,
      Labels: { app: 'x' },
      ExposedPorts: { '80/tcp': {} },
      StopSignal: 'SIGINT',
      Volumes: { '/anon': {} },
      HostConfig: {
        NetworkMode: 'default',
        Binds: ['/host:/in:ro', 'named:/data'],
        Mounts: [{ Type: 'tmpfs', Target: '/tmp', TmpfsOptions: { SizeBytes: 1024 } }],
        PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] },
        RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 },
        Memory: 64 * 1024 * 1024,
        NanoCpus: 0,
        AutoRemove: true,
        Init: true,
      },
      NetworkingConfig: { EndpointsConfig: { default: {}, appnet: { Aliases: ['web'], IPAMConfig: { IPv4Address: '10.1.0.5' } } } },
    });
    expect(containerCreateOptionsFromWire(request, { name: '/web', platform: 'linux/amd64' })).toEqual({
      image: 'busybox',
      cmd: ['sh', '-c', 'echo hi'],
      env: ['A=1'],
      tty: true,
      openStdin: true,
      labels: { app: 'x' },
      exposedPorts: ['80/tcp'],
      stopSignal: 'SIGINT',
      name: 'web',
      platform: 'linux/amd64',
      networkMode: 'bridge',
      portBindings: { '80/tcp': [{ hostPort: '8080' }] },
      restartPolicy: { name: 'on-failure', maximumRetryCount: 2 },
      resources: { memory: 64 * 1024 * 1024 },
      autoRemove: true,
      init: true,
      mounts: [
        { type: 'bind', source: '/host', target: '/in', readOnly: true },
        { type: 'volume', source: 'named', target: '/data' },
        { type: 'tmpfs', target: '/tmp', sizeBytes: 1024 },
        { type: 'volume', target: '/anon' },
      ],
      networks: { bridge: {}, appnet: { aliases: ['web'], ipv4Address: '10.1.0.5' } },
    });
  });

  it('keeps a cleared entrypoint and a string command', () => {
    const options = containerCreateOptionsFromWire({ Image: 'x', Entrypoint: '', Cmd: 'echo hi' });
    expect(options.entrypoint).toEqual([]);
    expect(options.cmd).toEqual(['echo hi']);
  });

  it('refuses unknown restart policies and mount types with docker\'s words', () => {
    expect(() => containerCreateOptionsFromWire({ Image: 'x', HostConfig: { RestartPolicy: { Name: 'sometimes' } } })).toThrow(/invalid restart policy/);
    expect(() => mountFromWire({ Type: 'npipe', Target: '/x' })).toThrow("mount type unknown: 'npipe'");
    expect(() => bindFromWire('/only-one-part')).toThrow('invalid volume specification');
  });
});

describe('port bindings', () => {
  const create = (PortBindings: Record<string, Array<{ HostIp?: string; HostPort?: string }>>) =>
    containerCreateOptionsFromWire(ContainerCreateRequestSchema.parse({ Image: 'busybox', HostConfig: { PortBindings } }));

  it('accepts one container port bound to nothing, a port or a range of host ports', () => {
    expect(create({ '80/tcp': [{ HostPort: '' }, { HostPort: '8080' }, { HostPort: '9000-9010' }], '53/udp': [{ HostIp: '127.0.0.1', HostPort: '53' }] }).portBindings).toEqual({
      '80/tcp': [{ hostPort: '' }, { hostPort: '8080' }, { hostPort: '9000-9010' }],
      '53/udp': [{ hostIp: '127.0.0.1', hostPort: '53' }],
    });
  });

  it.each([
    [{ 'x/tcp': [{ HostPort: '8080' }] }, 'invalid port specification: "x"'],
    [{ '70000/tcp': [] }, 'invalid port specification: "70000"'],
    [{ '80/tcp': [{ HostPort: 'y' }] }, 'invalid port specification: "y"'],
    [{ '80/tcp': [{ HostPort: '9010-9000' }] }, 'invalid port specification: "9010-9000"'],
    [{ '80/tcp': [{ HostPort: '-1' }] }, 'invalid port specification: "-1"'],
  ])('refuses %j at create with dockerd\'s 400 text', (bindings, message) => {
    expect(() => create(bindings)).toThrow(message);
  });
});

describe('update and exec', () => {
  it('translates update bodies', () => {
    expect(containerUpdateFromWire({ Memory: 0, CpuShares: 512, RestartPolicy: { Name: 'always' } })).toEqual({
      resources: { cpuShares: 512 },
      restartPolicy: { name: 'always' },
    });
  });

  it('translates exec create bodies and needs a command', () => {
    expect(execCreateOptionsFromWire({ Cmd: ['ls'], AttachStdout: true, Tty: false, User: '', WorkingDir: '/tmp' })).toEqual({
      cmd: ['ls'],
      attachStdout: true,
      tty: false,
      workingDir: '/tmp',
    });
    expect(() => execCreateOptionsFromWire({ AttachStdout: true })).toThrow('No exec command specified');
  });
});
