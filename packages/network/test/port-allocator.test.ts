import { createServer } from 'node:net';
import { errorCode } from '@berth/errdefs';
import { parsePortSpec, PortAllocator, probeHostPort } from '@berth/network';
import { describe, expect, it } from 'vitest';

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => errorCode(error),
  );
}

describe('PortAllocator', () => {
  it('takes fixed ports and refuses them twice, with wildcard addresses clashing with specific ones', async () => {
    const ports = new PortAllocator();
    expect(await ports.allocate(parsePortSpec('8080:80'))).toEqual([{ containerPort: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080 }]);
    expect(await codeOf(ports.allocate(parsePortSpec('127.0.0.1:8080:81')))).toBe('Conflict');
    expect(await ports.allocate(parsePortSpec('8080:80/udp'))).toHaveLength(1);
  });

  it('picks random ports from the ephemeral range, never one already taken', async () => {
    const ports = new PortAllocator({ ephemeralRange: [40000, 40002], random: () => 0 });
    const picked = [];
    for (let i = 0; i < 3; i += 1) picked.push((await ports.allocate(parsePortSpec('80')))[0]?.hostPort);
    expect(picked).toEqual([40000, 40001, 40002]);
    expect(await codeOf(ports.allocate(parsePortSpec('80')))).toBe('Unavailable');
    ports.release([{ containerPort: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 40001 }]);
    expect((await ports.allocate(parsePortSpec('80')))[0]?.hostPort).toBe(40001);
  });

  it('skips ports the probe says are busy, and picks within a requested host range', async () => {
    const ports = new PortAllocator({ probe: async (_ip, _proto, port) => port !== 8000, random: () => 0 });
    expect((await ports.allocate(parsePortSpec('8000-8005:80')))[0]?.hostPort).toBe(8001);
  });

  it('rolls back every port of a request when one fails', async () => {
    const ports = new PortAllocator();
    await ports.allocate(parsePortSpec('9001:1'));
    expect(await codeOf(ports.allocate([...parsePortSpec('9000:2'), ...parsePortSpec('9001:3')]))).toBe('Conflict');
    expect(ports.allocated().map((b) => b.hostPort)).toEqual([9001]);
  });

  it('probes the real host: a listening port is busy', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      expect(await probeHostPort('127.0.0.1', 'tcp', port)).toBe(false);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await probeHostPort('127.0.0.1', 'tcp', port)).toBe(true);
  });
});
