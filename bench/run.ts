/**
 * bench/run — container start latency, Berth's in-process engine against bare runc and a
 * private dockerd, in one run: `run --rm busybox true` (network none), 50 containers
 * started at once, and a container on a user-defined bridge network with a published port
 * (time until it answers). Prints medians, ratios and where Berth's time goes. Needs root.
 * See bench/README.md.
 *
 *   node --conditions=@berth/source --import tsx bench/run.ts [--runs N] [--concurrent N] [--concurrent-runs N] [--only rm,concurrent,publish]
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type PrivateDockerd, dockerInfo, startDockerd } from './lib/dockerd.js';
import { removeTree, scratchDir } from './lib/scratch.js';
import { type BenchEngine, type BerthRunTiming, berthRunRm, openBenchEngine, writeBusyboxArchive } from './run/berth-engine.js';
import { type BridgeDockerd, startBridgeDockerd } from './run/bridge-dockerd.js';
import { berthConcurrent, dockerConcurrent } from './run/concurrent.js';
import { dockerLoad, dockerRunRm } from './run/docker-run.js';
import { type PublishTiming, berthPublish, dockerPublish } from './run/publish.js';
import { printConcurrent, printPublish, printRunRm } from './run/report.js';
import { type RuncSteps, prepareRuncBundle, runcRun, runcSteps } from './run/runc-bundle.js';

const log = (line: string) => console.log(line);
const ms = (value: number) => `${value.toFixed(0)} ms`;
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
type Part = 'rm' | 'concurrent' | 'publish';
const allParts: Part[] = ['rm', 'concurrent', 'publish'];

/** Round `round`'s order: the contenders rotated by the round number. */
function rotated<T>(items: readonly T[], round: number): T[] {
  return items.map((_, i) => items[(i + round) % items.length]!);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '10' },
      concurrent: { type: 'string', default: '50' },
      'concurrent-runs': { type: 'string', default: '3' },
      only: { type: 'string', default: allParts.join(',') },
    },
  });
  const positive = (name: string, text: string) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, not ${text}`);
    return n;
  };
  const runs = positive('runs', values.runs);
  const concurrent = positive('concurrent', values.concurrent);
  const concurrentRuns = positive('concurrent-runs', values['concurrent-runs']);
  const parts = values.only.split(',').map((name) => {
    if (!allParts.includes(name as Part)) throw new Error(`--only takes a list of ${allParts.join(', ')}; not "${name}"`);
    return name as Part;
  });
  if (process.getuid?.() !== 0) throw new Error('bench/run needs root (runc, mounts, dockerd, iptables)');

  const work = await scratchDir('run');
  let engine: BenchEngine | undefined;
  let dockerd: PrivateDockerd | undefined;
  let bridgeEngine: BenchEngine | undefined;
  let bridgeDockerd: BridgeDockerd | undefined;
  const cleanUp = async () => {
    const report = (what: string) => (err: unknown) => console.error(`${what}: ${String(err)}`);
    await engine?.close().catch(report('closing the Berth engine'));
    engine = undefined;
    await bridgeEngine?.close().catch(report('closing the Berth bridge engine'));
    bridgeEngine = undefined;
    await dockerd?.stop().catch(report('stopping dockerd'));
    dockerd = undefined;
    await bridgeDockerd?.stop().catch(report('stopping the bridge dockerd'));
    bridgeDockerd = undefined;
    await removeTree(work);
  };
  const onSignal = () => {
    console.error('interrupted: cleaning up');
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);

  try {
    log(`load average at start: ${load()}`);
    const archive = join(work, 'busybox.tar');
    await writeBusyboxArchive(archive);

    if (parts.includes('rm') || parts.includes('concurrent')) {
      engine = await openBenchEngine(await scratchDir('berth', work), archive, { bridge: false });
      // Under /tmp, not the scratch dir: containerd's sockets under the exec root must fit in 108 bytes.
      dockerd = await startDockerd(await scratchDir('dockerd', '/tmp'));
      await dockerLoad(dockerd, archive);
      const info = await dockerInfo(dockerd);
      log(`dockerd ${info.ServerVersion} (pid ${dockerd.pid}), storage driver ${info.Driver}, --bridge=none --iptables=false`);
    }

    if (parts.includes('rm')) {
      const bundle = await prepareRuncBundle(await scratchDir('runc', work), archive, ['true']);
      const contenders = ['berth', 'runc', 'docker'] as const;
      const samples = { berth: [] as number[], runc: [] as number[], docker: [] as number[], breakdown: [] as BerthRunTiming[] };
      log(`\nrun --rm busybox true (network none): 1 warm-up round, then ${runs} rounds alternating ${contenders.join(', ')}, the first one rotating`);
      for (let round = 0; round <= runs; round++) {
        const line: string[] = [];
        for (const contender of rotated(contenders, round)) {
          let took: number;
          if (contender === 'berth') {
            const t = await berthRunRm(engine!);
            took = t.totalMs;
            if (round > 0) samples.breakdown.push(t);
          } else if (contender === 'runc') {
            took = await runcRun(bundle);
          } else {
            took = await dockerRunRm(dockerd!);
          }
          if (round > 0) samples[contender].push(took);
          line.push(`${contender} ${ms(took)}`);
        }
        log(`${round === 0 ? 'warm-up' : `round ${round}`.padEnd(8)}  ${line.join('  ')}`);
      }
      log(`load average: ${load()}`);
      // What one runc command costs here: Berth's runtime runs runc command by command.
      const steps: RuncSteps[] = [];
      for (let i = 0; i < runs; i++) steps.push(await runcSteps(bundle));
      printRunRm(samples, steps, log);
    }

    if (parts.includes('concurrent')) {
      const samples = { berth: [] as number[], docker: [] as number[] };
      log(`\n${concurrent} containers of \`sleep 30\` started at once (network none): ${concurrentRuns} rounds alternating berth, docker; force-removed after each (untimed)`);
      for (let round = 1; round <= concurrentRuns; round++) {
        const line: string[] = [];
        for (const contender of rotated(['berth', 'docker'] as const, round)) {
          const took = contender === 'berth' ? await berthConcurrent(engine!, concurrent) : await dockerConcurrent(dockerd!, concurrent);
          samples[contender].push(took);
          line.push(`${contender} ${ms(took)}`);
        }
        log(`round ${round}  ${line.join('  ')}`);
      }
      log(`load average: ${load()}`);
      printConcurrent(concurrent, samples, log);
    }

    // The first engine and dockerd are done: free the machine for the next part.
    await engine?.close();
    engine = undefined;
    await dockerd?.stop();
    dockerd = undefined;

    if (parts.includes('publish')) {
      bridgeEngine = await openBenchEngine(await scratchDir('berth-bridge', work), archive, { bridge: true });
      const berthNetwork = (await bridgeEngine.engine.networks.create({ name: `bbn-${process.pid}` })).name;
      bridgeDockerd = await startBridgeDockerd(await scratchDir('dockerd-br', '/tmp'));
      await dockerLoad(bridgeDockerd.dockerd, archive);
      const dockerNetwork = `bbn-${process.pid}`;
      await bridgeDockerd.dockerd.docker(['network', 'create', dockerNetwork]);
      log(
        `\npublished port: busybox httpd on a user-defined bridge network, -p 127.0.0.1::80, from create until an HTTP answer; ` +
          `1 warm-up round, then ${runs} rounds alternating berth, docker (second dockerd: bridge ${bridgeDockerd.bridgeName}, pool ${bridgeDockerd.pool}, iptables on, userland proxy on)`,
      );
      const samples = { berth: [] as PublishTiming[], docker: [] as PublishTiming[] };
      for (let round = 0; round <= runs; round++) {
        const line: string[] = [];
        for (const contender of rotated(['berth', 'docker'] as const, round)) {
          const t = contender === 'berth' ? await berthPublish(bridgeEngine, berthNetwork) : await dockerPublish(bridgeDockerd.dockerd, dockerNetwork);
          if (round > 0) samples[contender].push(t);
          line.push(`${contender} ${ms(t.totalMs)} (started ${ms(t.startedMs)}, port known ${ms(t.portKnownMs)})`);
        }
        log(`${round === 0 ? 'warm-up' : `round ${round}`.padEnd(8)}  ${line.join('  ')}`);
      }
      log(`load average: ${load()}`);
      printPublish(samples, log);
    }
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    await cleanUp();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
