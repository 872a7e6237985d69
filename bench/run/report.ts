import { median, ratio } from '../lib/stats.js';
import type { BerthRunTiming } from './berth-engine.js';
import type { PublishTiming } from './publish.js';
import type { RuncSteps } from './runc-bundle.js';

type Log = (line: string) => void;
const ms = (value: number) => `${value.toFixed(0)} ms`.padStart(8);

/** Medians of `run --rm true`, the ratios against their targets, and Berth's phases. */
export function printRunRm(
  samples: { berth: number[]; runc: number[]; docker: number[]; breakdown: BerthRunTiming[] },
  steps: readonly RuncSteps[],
  log: Log,
): void {
  const berth = median(samples.berth);
  const runc = median(samples.runc);
  const docker = median(samples.docker);
  log('\nrun --rm busybox true — medians');
  log(`  berth (in-process engine)  ${ms(berth)}`);
  log(`  runc run (bare bundle)     ${ms(runc)}`);
  log(`  docker run --rm (CLI)      ${ms(docker)}`);
  log(`  Berth/runc    ${ratio(berth, runc).padStart(6)}   (target ≤ 2×)`);
  log(`  Berth/docker  ${ratio(berth, docker).padStart(6)}   (target well under 1×)`);
  const phase = (pick: (t: BerthRunTiming) => number) => ms(median(samples.breakdown.map(pick)));
  log('  Berth by phase (medians):');
  log(`    create  ${phase((t) => t.createMs)}   (resolve image, unpack check, overlay snapshot prepare, record written)`);
  log(`    start   ${phase((t) => t.startMs)}   (mount rootfs, runtime spec, runtime create + start + state)`);
  log(`    wait    ${phase((t) => t.waitMs)}   (from start resolved until the exit was handled: runtime wait, unmount, record; the runtime's delete goes on)`);
  log(`    remove  ${phase((t) => t.removeMs)}   (the runtime's delete finishing, alongside snapshot and file removal; record)`);
  const methods = [...new Set(samples.breakdown.flatMap((t) => Object.keys(t.runtime)))].sort();
  log('  runtime calls per run (medians of the per-run sums; wall time, they overlap nothing else except `wait`):');
  for (const method of methods) {
    const sums = samples.breakdown.map((t) => t.runtime[method]?.ms ?? 0);
    const calls = median(samples.breakdown.map((t) => t.runtime[method]?.calls ?? 0));
    log(`    ${method.padEnd(7)} ${ms(median(sums))}  ×${calls}`);
  }
  const step = (pick: (s: RuncSteps) => number) => ms(median(steps.map(pick)));
  log(`  bare runc, command by command (medians of ${steps.length}; the cost of each runc process here):`);
  log(`    runc create ${step((s) => s.createMs)}   runc state ${step((s) => s.stateMs)}   runc start ${step((s) => s.startMs)}   runc delete ${step((s) => s.deleteMs)}`);
}

/** Medians of the concurrent start and its ratio. */
export function printConcurrent(count: number, samples: { berth: number[]; docker: number[] }, log: Log): void {
  const berth = median(samples.berth);
  const docker = median(samples.docker);
  log(`\n${count} containers started at once — medians until all run`);
  log(`  berth   ${ms(berth)}`);
  log(`  docker  ${ms(docker)}`);
  log(`  Berth/docker  ${ratio(berth, docker)}`);
}

/** Medians of the published-port start, its phases and the ratio. */
export function printPublish(samples: { berth: PublishTiming[]; docker: PublishTiming[] }, log: Log): void {
  log('\npublished port on a user-defined bridge — medians from create');
  for (const contender of ['berth', 'docker'] as const) {
    const list = samples[contender];
    log(
      `  ${contender.padEnd(6)}  answering ${ms(median(list.map((t) => t.totalMs)))}   started ${ms(median(list.map((t) => t.startedMs)))}   ` +
        `port known ${ms(median(list.map((t) => t.portKnownMs)))}`,
    );
  }
  log(`  Berth/docker (until answering)  ${ratio(median(samples.berth.map((t) => t.totalMs)), median(samples.docker.map((t) => t.totalMs)))}`);
}
