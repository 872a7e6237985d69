import { readFile, readlink } from 'node:fs/promises';
import type { RuntimeNetworkStats } from '../runtime/oci-runtime.js';

/**
 * Parses `/proc/net/dev`: two header lines, then `iface: rx bytes packets errs drop fifo
 * frame compressed multicast tx bytes packets errs drop …`. `lo` is left out, as docker does.
 */
export function parseNetDev(text: string): Record<string, RuntimeNetworkStats> {
  const result: Record<string, RuntimeNetworkStats> = {};
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (name === '' || name === 'lo' || fields.length < 12 || fields.some((n) => !Number.isFinite(n))) continue;
    const [rxBytes, rxPackets, rxErrors, rxDropped, , , , , txBytes, txPackets, txErrors, txDropped] = fields as number[];
    result[name] = {
      rxBytes: rxBytes!,
      rxPackets: rxPackets!,
      rxErrors: rxErrors!,
      rxDropped: rxDropped!,
      txBytes: txBytes!,
      txPackets: txPackets!,
      txErrors: txErrors!,
      txDropped: txDropped!,
    };
  }
  return result;
}

/**
 * The interface counters of process `pid`'s network namespace (its `/proc/<pid>/net/dev`);
 * `undefined` when it shares this process's namespace (host networking: docker reports
 * no networks then) or is gone.
 */
export async function readNetworkStats(pid: number): Promise<Record<string, RuntimeNetworkStats> | undefined> {
  try {
    const [theirs, ours] = await Promise.all([readlink(`/proc/${pid}/ns/net`), readlink('/proc/self/ns/net')]);
    if (theirs === ours) return undefined;
    return parseNetDev(await readFile(`/proc/${pid}/net/dev`, 'utf8'));
  } catch {
    return undefined;
  }
}
