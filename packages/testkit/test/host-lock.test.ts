import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { reserveTestSubnet, tryHostLock, withHostLock } from '../src/host.js';

const lockName = () => `lock-test-${randomBytes(4).toString('hex')}`;

describe('host locks', () => {
  it('lets one holder at a time have a lock, and frees it on release', async () => {
    const name = lockName();
    const first = await tryHostLock(name);
    expect(first).toBeDefined();
    expect(await tryHostLock(name)).toBeUndefined();
    await first!.release();
    const again = await tryHostLock(name);
    expect(again).toBeDefined();
    await again!.release();
  });

  it('frees a lock when its holder dies, with nothing to clean up', async () => {
    const name = lockName();
    // Another process takes the lock and reports when it holds it.
    const holder = spawn(
      process.execPath,
      ['-e', `require('net').createServer().listen('\\0berth-test-${name}', () => console.log('held'))`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await once(holder.stdout!, 'data');
      expect(await tryHostLock(name)).toBeUndefined();
    } finally {
      holder.kill('SIGKILL');
      await once(holder, 'exit');
    }
    const after = await tryHostLock(name);
    expect(after).toBeDefined();
    await after!.release();
  });

  it('runs critical sections one after another', async () => {
    const name = lockName();
    const order: string[] = [];
    const section = (label: string) =>
      withHostLock(name, async () => {
        order.push(`${label} in`);
        await new Promise((resolve) => setTimeout(resolve, 30));
        order.push(`${label} out`);
      });
    await Promise.all([section('a'), section('b')]);
    // Whichever goes first, the two never interleave.
    const first = order[0]!.split(' ')[0];
    const second = first === 'a' ? 'b' : 'a';
    expect(order).toEqual([`${first} in`, `${first} out`, `${second} in`, `${second} out`]);
  });

  it('reserves different subnets for concurrent callers', async () => {
    const reserved = await Promise.all([reserveTestSubnet(), reserveTestSubnet(), reserveTestSubnet()]);
    try {
      expect(new Set(reserved.map((subnet) => subnet.base)).size).toBe(3);
      for (const subnet of reserved) expect(subnet.base).toMatch(/^10\.(1[5-9]\d|2[0-4]\d)$/);
    } finally {
      for (const subnet of reserved) await subnet.release();
    }
  });
});
