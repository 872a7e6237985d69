import { describe, expect, it } from 'vitest';
import type { ContainerSummary, EngineEvent, ImageSummary, Volume } from '@berth/engine';
import {
  ContainerSummarySchema,
  EventMessageSchema,
  ImageSummarySchema,
  VolumeSchema,
  changesToWire,
  containerSummaryToWire,
  credentialsFromAuthConfig,
  eventToWire,
  imageDeleteToWire,
  imageSummaryToWire,
  pathStatToWire,
  pullEventToProgress,
  volumeToWire,
  waitResultToWire,
} from '@berth/docker-api';

const created = new Date('2024-05-01T10:00:00.500Z');

describe('engine → wire', () => {
  it('writes container summaries with slashed names, Unix times and published ports', () => {
    const summary: ContainerSummary = {
      id: 'a'.repeat(64),
      names: ['web'],
      image: 'busybox',
      imageId: 'sha256:' + 'b'.repeat(64),
      command: 'sh -c true',
      created,
      state: 'running',
      status: 'Up 3 seconds',
      ports: [
        { containerPort: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080 },
        { containerPort: 53, protocol: 'udp', hostIp: '', hostPort: 0 },
      ],
      labels: { a: 'b' },
      networks: ['bridge'],
      mounts: ['data-volume'],
    };
    const wire = containerSummaryToWire(summary);
    expect(ContainerSummarySchema.parse(wire)).toBeTruthy();
    expect(wire).toMatchObject({
      Names: ['/web'],
      Created: 1714557600,
      State: 'running',
      Ports: [{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }, { PrivatePort: 53, Type: 'udp' }],
      // What `docker ps --format {{.Mounts}}` prints is each mount's Name.
      Mounts: [{ Type: 'volume', Name: 'data-volume' }],
    });
  });

  it('writes image summaries and rmi lines', () => {
    const image: ImageSummary = { id: 'sha256:1', parentId: '', repoTags: ['busybox:latest'], repoDigests: [], created, size: 10, labels: {}, containers: 2 };
    const wire = imageSummaryToWire(image);
    expect(ImageSummarySchema.parse(wire)).toBeTruthy();
    expect(wire.Created).toBe(1714557600);
    expect(imageDeleteToWire([{ untagged: 'busybox:latest' }, { deleted: 'sha256:1' }])).toEqual([{ Untagged: 'busybox:latest' }, { Deleted: 'sha256:1' }]);
  });

  it('writes volumes', () => {
    const volume: Volume = { name: 'v', driver: 'local', mountpoint: '/m', createdAt: created, labels: {}, options: {}, scope: 'local', usageData: { size: 3, refCount: 1 } };
    const wire = volumeToWire(volume);
    expect(VolumeSchema.parse(wire)).toBeTruthy();
    expect(wire).toMatchObject({ CreatedAt: '2024-05-01T10:00:00.500Z', UsageData: { Size: 3, RefCount: 1 } });
  });

  it('writes events with docker\'s decorated actions and legacy fields', () => {
    const event: EngineEvent = {
      type: 'container',
      action: 'exec_start',
      actor: { id: 'c1', attributes: { image: 'busybox', commandLine: 'sh -c ls', execID: 'e1' } },
      scope: 'local',
      time: created,
      seq: 4,
    };
    const wire = eventToWire(event);
    expect(EventMessageSchema.parse(wire)).toBeTruthy();
    expect(wire).toMatchObject({ Type: 'container', Action: 'exec_start: sh -c ls', status: 'exec_start: sh -c ls', id: 'c1', from: 'busybox', time: 1714557600, timeNano: 1714557600500000000 });
    const health = eventToWire({ ...event, action: 'health_status', actor: { id: 'c1', attributes: { healthStatus: 'healthy' } } });
    expect(health.Action).toBe('health_status: healthy');
  });

  it('writes waits, diffs and path stats in docker\'s encodings', () => {
    expect(waitResultToWire({ statusCode: 3 })).toEqual({ StatusCode: 3 });
    expect(waitResultToWire({ statusCode: -1, error: 'boom' })).toEqual({ StatusCode: -1, Error: { Message: 'boom' } });
    expect(changesToWire([{ path: '/a', kind: 'C' }, { path: '/b', kind: 'A' }, { path: '/c', kind: 'D' }])).toEqual([
      { Path: '/a', Kind: 0 },
      { Path: '/b', Kind: 1 },
      { Path: '/c', Kind: 2 },
    ]);
    expect(pathStatToWire({ name: 'bin', size: 4096, mode: 0o040755, mtime: created, linkTarget: '' }).mode).toBe(2 ** 31 + 0o755);
    expect(pathStatToWire({ name: 'l', size: 1, mode: 0o120777, mtime: created, linkTarget: 'x' }).mode).toBe(2 ** 27 + 0o777);
  });

  it('writes pull progress as the CLI expects', () => {
    expect(pullEventToProgress({ type: 'layer', state: 'downloading', digest: `sha256:${'c'.repeat(64)}` as never, bytes: 5, total: 10 })).toEqual({
      status: 'Downloading',
      id: 'cccccccccccc',
      progressDetail: { current: 5, total: 10 },
    });
    expect(pullEventToProgress({ type: 'totals', bytes: 1, total: 1, layersDone: 1, layers: 1 })).toBeUndefined();
  });

  it('reads registry auth configs into credentials', () => {
    expect(credentialsFromAuthConfig({})).toBeUndefined();
    expect(credentialsFromAuthConfig({ username: 'u', password: 'p' })).toEqual({ username: 'u', password: 'p' });
    expect(credentialsFromAuthConfig({ identitytoken: 't' })).toEqual({ identityToken: 't' });
    expect(credentialsFromAuthConfig({ username: 'u', registrytoken: 'r' })).toEqual({ registryToken: 'r' });
  });
});
