/**
 * bench/api — berthd against a private dockerd through the Docker Engine API, in one run:
 * `docker run --rm busybox true` through the same docker CLI, `GET /containers/json?all=1`
 * requests/s with 100 created containers over keep-alive connections, and the daemons' idle
 * memory. Prints each round, medians, a table and the ratios. Needs root. See bench/README.md.
 *
 *   node --conditions=@berth/source --import tsx bench/api.ts [--runs N] [--containers N] [--concurrency N] [--seconds S] [--rounds N] [--from dist|source]
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeDockerArchive } from '@berth/image';
import { busyboxImage } from '@berth/image/testing';
import { type PrivateBerthd, startBerthd, staleBuild } from './lib/berthd.js';
import { type PrivateDockerd, dockerCli, dockerInfo, startDockerd } from './lib/dockerd.js';
import { type ProcessMemory, daemonProcesses, memoryOf, totalMemory } from './lib/process-memory.js';
import { runCommand } from './lib/process.js';
import { removeTree, scratchDir } from './lib/scratch.js';
import { median } from './lib/stats.js';
import { type HttpAnswer, type Throughput, type UnixHttpClient, createUnixHttpClient, measureThroughput } from './lib/unix-http.js';

const log = (line: string) => console.log(line);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const ms = (value: number) => `${value.toFixed(0)} ms`;
const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MiB`;
const times = (value: number) => `${value.toFixed(2)}×`;
const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis));

type Contender = 'berth' | 'docker';
const contenders: readonly Contender[] = ['berth', 'docker'];

/** One daemon under test, as the benchmark talks to it. */
interface Side {
  name: Contender;
  pid: number;
  socket: string;
  /** Command-line fragments that mark the daemon's helper processes (shims, conmon). */
  markers: string[];
  docker(args: string[], options?: { allowFailure?: boolean }): Promise<{ code: number; stdout: string; stderr: string }>;
  client: UnixHttpClient;
}

/** Round `round`'s order: the contenders rotated by the round number. */
function rotated<T>(items: readonly T[], round: number): T[] {
  return items.map((_, i) => items[(i + round) % items.length]!);
}

/** The daemon's processes (itself, its descendants, its helpers) and their memory. */
async function daemonMemory(side: Side): Promise<ProcessMemory[]> {
  return memoryOf(await daemonProcesses(side.pid, side.markers));
}

function describeMemory(rows: readonly ProcessMemory[]): string {
  const byName = new Map<string, { count: number; rssKb: number }>();
  for (const row of rows) {
    const entry = byName.get(row.name) ?? { count: 0, rssKb: 0 };
    byName.set(row.name, { count: entry.count + 1, rssKb: entry.rssKb + row.rssKb });
  }
  return [...byName].map(([name, { count, rssKb }]) => `${name}${count > 1 ? ` ×${count}` : ''} ${mb(rssKb)}`).join(', ');
}

async function runRm(side: Side): Promise<number> {
  const start = performance.now();
  await side.docker(['run', '--rm', '--network', 'none', 'busybox', 'true']);
  return performance.now() - start;
}

function expectStatus(status: number, what: string) {
  return (answer: HttpAnswer) => {
    if (answer.status !== status) throw new Error(`${what}: HTTP ${answer.status} ${answer.body.toString().slice(0, 300)}`);
  };
}

/** Creates `count` containers of `busybox true` (network none, not started) through the API, 8 at a time. */
async function createContainers(side: Side, count: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const answer = await side.client.request('POST', '/v1.41/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: { NetworkMode: 'none' } });
      expectStatus(201, `${side.name}: POST /containers/create`)(answer);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

async function listedContainers(side: Side): Promise<number> {
  const answer = await side.client.request('GET', '/v1.41/containers/json?all=1');
  expectStatus(200, `${side.name}: GET /containers/json`)(answer);
  return (JSON.parse(answer.body.toString()) as unknown[]).length;
}

async function removeAllContainers(side: Side): Promise<void> {
  const answer = await side.client.request('GET', '/v1.41/containers/json?all=1');
  if (answer.status !== 200) return;
  const ids = (JSON.parse(answer.body.toString()) as Array<{ Id: string }>).map((c) => c.Id);
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      await side.client.request('DELETE', `/v1.41/containers/${id}?force=1`).catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '10' },
      containers: { type: 'string', default: '100' },
      concurrency: { type: 'string', default: '8' },
      seconds: { type: 'string', default: '5' },
      rounds: { type: 'string', default: '3' },
      from: { type: 'string', default: 'dist' },
    },
  });
  const positive = (name: string, text: string) => {
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, not ${text}`);
    return n;
  };
  const runs = Math.round(positive('runs', values.runs));
  const containerCount = Math.round(positive('containers', values.containers));
  const concurrency = Math.round(positive('concurrency', values.concurrency));
  const durationMs = positive('seconds', values.seconds) * 1000;
  const rounds = Math.round(positive('rounds', values.rounds));
  if (values.from !== 'dist' && values.from !== 'source') throw new Error(`--from takes dist or source, not ${values.from}`);
  const from = values.from;
  if (process.getuid?.() !== 0) throw new Error('bench/api needs root (runc, mounts, dockerd, the bridge driver)');
  if (from === 'dist') {
    const stale = await staleBuild();
    if (stale) log(`WARNING: the built berthd may be stale: ${stale}. Run \`npm run build\` for current figures (or --from source, which adds tsx to berthd's memory).`);
  }

  const work = await scratchDir('api');
  let berthd: PrivateBerthd | undefined;
  let dockerd: PrivateDockerd | undefined;
  const sides: Side[] = [];
  const cleanUp = async () => {
    const report = (what: string) => (err: unknown) => console.error(`${what}: ${String(err)}`);
    for (const side of sides.splice(0)) {
      await removeAllContainers(side).catch(report(`removing ${side.name}'s containers`));
      side.client.close();
    }
    await berthd?.stop().catch(report('stopping berthd'));
    berthd = undefined;
    await dockerd?.stop().catch(report('stopping dockerd'));
    dockerd = undefined;
    await removeTree(work);
  };
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    console.error('interrupted: cleaning up');
    void cleanUp().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);

  try {
    log(`load average at start: ${load()} (a shared machine: other work runs alongside; ratios come from alternating rounds)`);
    const archive = join(work, 'busybox.tar');
    await writeDockerArchive(archive, [{ image: busyboxImage(), tags: ['busybox:latest'] }]);

    // Under /tmp, not the scratch dir: socket paths (containerd's under dockerd's exec root) must stay short.
    berthd = await startBerthd(await scratchDir('berthd', '/tmp'), { from });
    const berthDir = berthd.socket.slice(0, -'/berthd.sock'.length);
    sides.push({
      name: 'berth',
      pid: berthd.pid,
      socket: berthd.socket,
      markers: [berthDir, berthd.execRoot],
      docker: berthd.docker,
      client: createUnixHttpClient(berthd.socket, { maxSockets: concurrency }),
    });
    const dockerDir = await scratchDir('dockerd', '/tmp');
    dockerd = await startDockerd(dockerDir);
    const dockerSocket = dockerd.host.slice('unix://'.length);
    sides.push({
      name: 'docker',
      pid: dockerd.pid,
      socket: dockerSocket,
      markers: [dockerDir],
      docker: dockerd.docker,
      client: createUnixHttpClient(dockerSocket, { maxSockets: concurrency }),
    });
    const info = await dockerInfo(dockerd);
    const cliVersion = (await runCommand(dockerCli, ['--version'])).stdout.trim();
    log(`berthd (pid ${berthd.pid}, ${from === 'dist' ? 'built packages/daemon/dist/berthd.js' : 'source through tsx'}): real engine, runc under conmon, overlayfs, default bridge ${berthd.bridgeName}`);
    log(`dockerd ${info.ServerVersion} (pid ${dockerd.pid}): storage driver ${info.Driver}, --bridge=none --iptables=false`);
    log(`CLI for both: ${dockerCli} (${cliVersion})`);
    for (const side of sides) await side.docker(['load', '-i', archive]);

    // (c) idle memory: both daemons up, busybox loaded, nothing running; settled first.
    await sleep(5_000);
    const idle = { berth: await daemonMemory(sides[0]!), docker: await daemonMemory(sides[1]!) };
    log(`\nidle memory (after start + docker load, 5 s settled):`);
    for (const name of contenders) log(`  ${name.padEnd(6)}  ${describeMemory(idle[name])}`);

    // (a) docker run --rm busybox true, the same CLI, alternating.
    const runSamples: Record<Contender, number[]> = { berth: [], docker: [] };
    log(`\ndocker run --rm --network none busybox true: 1 warm-up round, then ${runs} rounds alternating berth, docker (the first one rotating)`);
    for (let round = 0; round <= runs; round++) {
      const line: string[] = [];
      for (const side of rotated(sides, round)) {
        const took = await runRm(side);
        if (round > 0) runSamples[side.name].push(took);
        line.push(`${side.name} ${ms(took)}`);
      }
      log(`${round === 0 ? 'warm-up ' : `round ${round}`.padEnd(8)}  ${line.join('  ')}`);
    }
    log(`load average: ${load()}`);

    // (b) GET /containers/json?all=1 with N created containers.
    for (const side of sides) {
      await createContainers(side, containerCount);
      const listed = await listedContainers(side);
      if (listed !== containerCount) throw new Error(`${side.name} lists ${listed} containers, ${containerCount} were created`);
    }
    const listSamples: Record<Contender, Throughput[]> = { berth: [], docker: [] };
    log(
      `\nGET /containers/json?all=1 with ${containerCount} created containers: ${concurrency} keep-alive connections in closed loops, ` +
        `1 s warm-up then ${rounds} rounds of ${durationMs / 1000} s alternating`,
    );
    for (let round = 0; round <= rounds; round++) {
      const line: string[] = [];
      for (const side of rotated(sides, round)) {
        const t = await measureThroughput(() => side.client.request('GET', '/v1.41/containers/json?all=1'), {
          concurrency,
          durationMs: round === 0 ? 1_000 : durationMs,
          check: expectStatus(200, `${side.name}: GET /containers/json`),
        });
        if (round > 0) listSamples[side.name].push(t);
        line.push(`${side.name} ${t.perSecond.toFixed(0)} req/s (${t.requests} in ${ms(t.ms)})`);
      }
      log(`${round === 0 ? 'warm-up ' : `round ${round}`.padEnd(8)}  ${line.join('  ')}`);
    }
    log(`load average: ${load()}`);

    // (c) again, with the containers and after the load.
    await sleep(5_000);
    const loaded = { berth: await daemonMemory(sides[0]!), docker: await daemonMemory(sides[1]!) };
    log(`\nmemory with ${containerCount} created containers, after the list load (5 s settled):`);
    for (const name of contenders) log(`  ${name.padEnd(6)}  ${describeMemory(loaded[name])}`);

    // The table.
    const run = { berth: median(runSamples.berth), docker: median(runSamples.docker) };
    const list = { berth: median(listSamples.berth.map((t) => t.perSecond)), docker: median(listSamples.docker.map((t) => t.perSecond)) };
    const idleTotal = { berth: totalMemory(idle.berth), docker: totalMemory(idle.docker) };
    const loadedTotal = { berth: totalMemory(loaded.berth), docker: totalMemory(loaded.docker) };
    const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
    const rows: Array<[string, string, string, string, string]> = [
      ['measure', 'berthd', 'dockerd', 'berth/docker', 'target'],
      ['docker run --rm busybox true (median)', ms(run.berth), ms(run.docker), times(run.berth / run.docker), `≤ 0.50× (${verdict(run.berth / run.docker <= 0.5)})`],
      [`GET /containers/json, ${containerCount} containers (median)`, `${list.berth.toFixed(0)} req/s`, `${list.docker.toFixed(0)} req/s`, times(list.berth / list.docker), `≥ 2.00× (${verdict(list.berth / list.docker >= 2)})`],
      ['idle memory, RSS sum', mb(idleTotal.berth.rssKb), mb(idleTotal.docker.rssKb), times(idleTotal.berth.rssKb / idleTotal.docker.rssKb), `< 1× (${verdict(idleTotal.berth.rssKb < idleTotal.docker.rssKb)})`],
      ['idle memory, PSS sum', mb(idleTotal.berth.pssKb), mb(idleTotal.docker.pssKb), times(idleTotal.berth.pssKb / idleTotal.docker.pssKb), ''],
      [`memory with ${containerCount} containers, RSS sum`, mb(loadedTotal.berth.rssKb), mb(loadedTotal.docker.rssKb), times(loadedTotal.berth.rssKb / loadedTotal.docker.rssKb), ''],
    ];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    log('');
    for (const [i, row] of rows.entries()) {
      log(row.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]!) : cell.padStart(widths[j]!))).join('  '));
      if (i === 0) log(widths.map((w) => '-'.repeat(w)).join('  '));
    }
    log(`\ndockerd's memory is dockerd + containerd (+ shims while containers run); berthd's is berthd (+ conmon while containers run).`);
    const summary = {
      runRm: { berthMs: run.berth, dockerMs: run.docker, ratio: run.berth / run.docker, samples: runSamples },
      list: { berthPerSecond: list.berth, dockerPerSecond: list.docker, ratio: list.berth / list.docker },
      idleMemoryKb: idleTotal,
      loadedMemoryKb: loadedTotal,
      loadAverage: loadavg(),
    };
    log(`summary: ${JSON.stringify(summary)}`);
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    if (!interrupted) await cleanUp();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
