import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { createLinuxHostNet, parseSubnet, subnetsOverlap } from '@berth/network';

const execFileAsync = promisify(execFile);

/** Runs a command; resolves with stdout, rejects with stderr in the message. */
export async function run(file: string, args: string[], options: { timeoutMs?: number } = {}): Promise<string> {
  const { stdout } = await execFileAsync(file, args, { timeout: options.timeoutMs ?? 10_000 });
  return stdout;
}

/** Runs a command inside the network namespace at `netns`. */
export function inNetns(netns: string, args: string[], options: { timeoutMs?: number } = {}): Promise<string> {
  return run('nsenter', [`--net=${netns}`, ...args], options);
}

/** Whether one ping from the namespace gets an answer within a second. */
export async function pings(netns: string, address: string): Promise<boolean> {
  return inNetns(netns, ['busybox', 'ping', '-c', '1', '-W', '1', address]).then(
    () => true,
    () => false,
  );
}

/**
 * `wget -O -` from inside a namespace; undefined when it fails. No `-T`: busybox 1.35's static
 * wget segfaults with it; the process timeout bounds the wait instead.
 */
export async function fetchFrom(netns: string, url: string): Promise<string | undefined> {
  return inNetns(netns, ['busybox', 'wget', '-q', '-O', '-', url], { timeoutMs: 3000 }).then(
    (body) => body,
    () => undefined,
  );
}

/** A short random lowercase hex tag for unique names (bridge names must stay ≤ 15 characters). */
export function shortTag(): string {
  return randomBytes(2).toString('hex');
}

/** Links of the host namespace whose names contain `fragment`. */
export async function hostLinksContaining(fragment: string): Promise<string[]> {
  const links = JSON.parse(await run('ip', ['-j', 'link', 'show'])) as Array<{ ifname: string }>;
  return links.map((link) => link.ifname).filter((name) => name.includes(fragment));
}

/** Lines of `iptables-save` mentioning `fragment` (chains, jumps, rules). */
export async function iptablesLinesContaining(fragment: string): Promise<string[]> {
  return (await run('iptables-save', [])).split('\n').filter((line) => line.includes(fragment));
}

/** Polls `check` until it returns true (for servers starting in the background); bounded attempts, no timing assertions. */
export async function eventually(check: () => Promise<boolean>, attempts = 50): Promise<boolean> {
  for (let i = 0; i < attempts; i += 1) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/**
 * `10.<x>` such that no host route overlaps `10.<x>.0.0/16`, x drawn from `[from, from + count)`
 * (test files use disjoint ranges so parallel files do not pick the same one).
 */
export async function freeSubnetBase(from: number, count: number): Promise<string> {
  const routes = (await createLinuxHostNet().listRoutes()).flatMap((text) => {
    try {
      return [parseSubnet(text, true)];
    } catch {
      return [];
    }
  });
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const second = from + Math.floor(Math.random() * count);
    if (!routes.some((route) => subnetsOverlap(route, parseSubnet(`10.${second}.0.0/16`)))) return `10.${second}`;
  }
  throw new Error('no free 10.x.0.0/16 for the test');
}
