import { median, ratio, seconds } from '../lib/stats.js';
import type { BerthPullTiming } from './berth-pull.js';
import type { BerthProfile } from './berth-profile.js';
import type { LayerPhases } from './layer-profile.js';

/** The contenders of bench/pull. */
export type Contender = 'berth' | 'docker' | 'skopeo+tar';

/** What the runs measured, per contender (ms), in run order. */
export interface PullSamples {
  runs: number;
  wall: Map<Contender, number[]>;
  cpu: Map<Contender, number[]>;
  berth: BerthPullTiming[];
}

/** Prints the medians, the ratios against the targets, and Berth's breakdown and profile. */
export function printReport(samples: PullSamples, profile: BerthProfile | undefined, log: (line: string) => void): void {
  const wall = (contender: Contender) => median(samples.wall.get(contender) ?? []);
  const cpu = (contender: Contender) => median(samples.cpu.get(contender) ?? []);
  log(`\n=== bench/pull: median of ${samples.runs} runs each (alternating; sync between runs; page caches not dropped) ===`);
  log('             wall (median)   CPU user+sys (median)   wall of each run');
  for (const [contender, ms] of samples.wall) {
    log(`${contender.padEnd(11)} ${seconds(wall(contender)).padStart(11)}   ${seconds(cpu(contender)).padStart(20)}     ${ms.map((m) => (m / 1000).toFixed(2)).join(' ')}`);
  }
  const berth = wall('berth');
  const against = (other: Contender, label: string, target: number) => {
    if (!samples.wall.has('berth') || !samples.wall.has(other)) return;
    const met = berth <= target * wall(other) ? 'met' : 'MISSED';
    log(`${label.padEnd(25)} ${ratio(berth, wall(other)).padStart(7)}   (target ≤ ${target.toFixed(2)}×)  ${met.padEnd(6)}   CPU ${ratio(cpu('berth'), cpu(other))}`);
  };
  against('docker', 'Berth / docker pull', 1);
  against('skopeo+tar', 'Berth / (skopeo + tar)', 1.3);
  if (samples.berth.length > 0) {
    log(
      `Berth breakdown (medians): downloads done at ${seconds(median(samples.berth.map((r) => r.downloadsDoneMs)))}, ` +
        `applying layers ${seconds(median(samples.berth.map((r) => r.applyMs)))} summed over layers (in parallel, overlapping the downloads)`,
    );
  }
  if (profile) printProfile(profile, log);
}

function printProfile(profile: BerthProfile, log: (line: string) => void): void {
  log(`Berth download alone (no snapshotter): ${seconds(profile.downloadOnlyMs)}; unpack alone from local blobs: ${seconds(profile.unpackOnlyMs)}`);
  log('per layer, each phase alone:      size   gzip -dc   node gunzip+sha256   applyLayer   tar -xzf');
  const row = (label: string, p: LayerPhases) =>
    `${label}  ${seconds(p.gzipMs).padStart(9)}  ${seconds(p.gunzipHashMs).padStart(19)}  ${seconds(p.applyMs).padStart(11)}  ${seconds(p.tarMs).padStart(9)}`;
  for (const { digest, size, phases } of profile.layers) {
    log(row(`  ${digest.slice(7, 19)}  ${`${(size / 1e6).toFixed(1)} MB`.padStart(10)}`, phases));
  }
  const sum = (pick: (p: LayerPhases) => number) => profile.layers.reduce((total, l) => total + pick(l.phases), 0);
  log(row('  total'.padEnd(26), { gzipMs: sum((p) => p.gzipMs), gunzipHashMs: sum((p) => p.gunzipHashMs), applyMs: sum((p) => p.applyMs), tarMs: sum((p) => p.tarMs) }));
}
