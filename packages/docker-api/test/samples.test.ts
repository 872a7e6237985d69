import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ContainerCreateRequestSchema,
  ContainerInspectResponseSchema,
  ContainerStatsResponseSchema,
  ContainerSummarySchema,
  DistributionInspectSchema,
  EventMessageSchema,
  ExecInspectResponseSchema,
  ImageDeleteResponseItemSchema,
  ImageInspectSchema,
  ImageSummarySchema,
  NetworkSchema,
  ProgressMessageSchema,
  SystemDataUsageResponseSchema,
  SystemInfoSchema,
  SystemVersionSchema,
  VolumeListResponseSchema,
  decodeJsonLines,
} from '@berth/docker-api';

// Hand-written from what dockerd 27 (API 1.47) sends and what the docker CLI and docker-py send.
function sample(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`./samples/${name}`, import.meta.url), 'utf8'));
}

describe('real docker JSON samples', () => {
  it('parses the create body the docker CLI sends, nulls and all', () => {
    const body = ContainerCreateRequestSchema.parse(sample('container-create-docker-cli.json'));
    expect(body.Image).toBe('busybox');
    expect(body.Cmd).toEqual(['echo', 'hello']);
    expect(body.HostConfig?.PortBindings?.['80/tcp']?.[0]?.HostPort).toBe('8080');
    expect(body.HostConfig?.ConsoleSize).toEqual([50, 200]);
    expect(body.NetworkingConfig?.EndpointsConfig?.['default']?.Aliases).toBeNull();
  });

  it('parses the create body docker-py sends (Cmd as a string, mounts, healthcheck)', () => {
    const body = ContainerCreateRequestSchema.parse(sample('container-create-docker-py.json'));
    expect(body.Cmd).toBe("sh -c 'echo hi'");
    expect(body.Entrypoint).toBe('/bin/sh');
    expect(body.HostConfig?.Mounts?.map((mount) => mount.Type)).toEqual(['volume', 'tmpfs']);
    expect(body.HostConfig?.Tmpfs).toEqual({ '/tmp2': 'rw,size=64m' });
    expect(body.Healthcheck?.Interval).toBe(1_000_000_000);
  });

  it('parses container inspect', () => {
    const inspect = ContainerInspectResponseSchema.parse(sample('container-inspect.json'));
    expect(inspect.State?.Health?.Status).toBe('healthy');
    expect(inspect.NetworkSettings?.Ports?.['80/tcp']).toHaveLength(2);
    expect(inspect.Mounts?.[0]?.Type).toBe('volume');
    expect(inspect.ExecIDs).toBeNull();
  });

  it('parses container list entries', () => {
    const list = ContainerSummarySchema.array().parse(sample('container-list.json'));
    expect(list[0]?.Ports?.[1]).toEqual({ PrivatePort: 443, Type: 'tcp' });
  });

  it('parses image list (Labels null, Containers -1) and inspect', () => {
    const [summary] = ImageSummarySchema.array().parse(sample('image-list.json'));
    expect(summary?.Labels).toBeNull();
    expect(summary?.Containers).toBe(-1);
    const inspect = ImageInspectSchema.parse(sample('image-inspect.json'));
    expect(inspect.RootFS?.Layers).toHaveLength(1);
    expect(inspect.Config?.Cmd).toEqual(['sh']);
  });

  it('parses image delete items', () => {
    const items = ImageDeleteResponseItemSchema.array().parse(sample('image-delete.json'));
    expect(items.filter((item) => item.Deleted !== undefined)).toHaveLength(2);
  });

  it('parses network inspect, volume list, exec inspect and distribution inspect', () => {
    expect(NetworkSchema.parse(sample('network-inspect.json')).Containers?.['5c3b6a1d2e3f']?.IPv4Address).toBe('172.18.0.2/16');
    const volumes = VolumeListResponseSchema.parse(sample('volume-list.json'));
    expect(volumes.Volumes?.[0]?.Name).toBe('data');
    expect(volumes.Warnings).toBeNull();
    expect(ExecInspectResponseSchema.parse(sample('exec-inspect.json')).ProcessConfig?.entrypoint).toBe('sh');
    expect(DistributionInspectSchema.parse(sample('distribution-inspect.json')).Platforms).toHaveLength(2);
  });

  it('parses /info, /version and /system/df', () => {
    const info = SystemInfoSchema.parse(sample('info.json'));
    expect(info.DriverStatus?.[0]).toEqual(['Backing Filesystem', 'extfs']);
    expect(info.Runtimes?.['runc']?.path).toBe('runc');
    expect(SystemVersionSchema.parse(sample('version.json')).ApiVersion).toBe('1.47');
    const df = SystemDataUsageResponseSchema.parse(sample('system-df.json'));
    expect(df.Volumes?.[0]?.UsageData?.RefCount).toBe(1);
  });

  it('parses a cgroup v2 stats sample with uint64 values beyond 2^53', () => {
    const stats = ContainerStatsResponseSchema.parse(sample('stats-cgroup-v2.json'));
    expect(stats.pids_stats?.limit).toBeGreaterThan(Number.MAX_SAFE_INTEGER);
    expect(stats.cpu_stats.cpu_usage.percpu_usage).toBeUndefined();
    expect(stats.networks?.['eth0']?.rx_bytes).toBe(1096);
  });

  it('reads a pull progress stream and an events stream', async () => {
    const pull = readFileSync(new URL('./samples/pull-progress.jsonl', import.meta.url));
    const messages = [];
    for await (const message of decodeJsonLines([pull], { schema: ProgressMessageSchema })) messages.push(message);
    expect(messages).toHaveLength(6);
    expect(messages[2]?.progressDetail).toEqual({ current: 48879, total: 2152262 });

    const events = readFileSync(new URL('./samples/events.jsonl', import.meta.url));
    const received = [];
    for await (const event of decodeJsonLines([events], { schema: EventMessageSchema })) received.push(event);
    expect(received.map((event) => `${event.Type} ${event.Action}`)).toEqual(['container start', 'network connect']);
    expect(received[0]?.status).toBe('start');
  });
});
