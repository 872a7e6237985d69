import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { tryHostLock } from './host-lock.js';

const execFileAsync = promisify(execFile);

/** A `10.<x>.0.0/16` a test file holds for its bridges and namespaces until it releases it. */
export interface TestSubnet {
  /** `10.<x>`: the test makes its /24s as `${base}.<n>.0/24`. */
  base: string;
  /** Gives the /16 back (also done implicitly once the reserving process is gone). */
  release(): Promise<void>;
}

function ipv4Value(text: string): number {
  return text.split('.').reduce((value, part) => value * 256 + Number(part), 0);
}

/** Whether the route destination `dst` (`a.b.c.d/len`, `a.b.c.d` or `default`) overlaps `10.<second>.0.0/16`. */
function routeTouches(dst: string, second: number): boolean {
  if (dst === 'default') return false;
  const [address = '', lengthText] = dst.split('/');
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(address)) return false;
  const length = Math.min(Number(lengthText ?? 32), 16);
  const shift = 32 - length;
  const mask = (value: number) => Math.floor(value / 2 ** shift);
  return mask(ipv4Value(address)) === mask(ipv4Value(`10.${second}.0.0`));
}

/**
 * Reserves a `10.<x>.0.0/16` (x in 150–249) that no host route touches and that no other
 * live test process holds. Test files run in parallel processes: picking a free-looking /16
 * by the routes alone lets two files pick the same one before either has made its bridge.
 * The reservation is a host lock ({@link tryHostLock}): gone with its process.
 */
export async function reserveTestSubnet(): Promise<TestSubnet> {
  const { stdout } = await execFileAsync('ip', ['-j', '-4', 'route', 'show', 'table', 'all']);
  const routes = (JSON.parse(stdout || '[]') as Array<{ dst?: string }>).map((route) => route.dst ?? '');
  const candidates = Array.from({ length: 100 }, (_, i) => 150 + i).sort(() => Math.random() - 0.5);
  for (const second of candidates) {
    if (routes.some((dst) => routeTouches(dst, second))) continue;
    const lock = await tryHostLock(`subnet-10-${second}`);
    if (lock) return { base: `10.${second}`, release: lock.release };
  }
  throw new Error('no free 10.x.0.0/16 (x in 150–249) for the test: all are routed or reserved');
}
