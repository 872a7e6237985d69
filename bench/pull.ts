/**
 * bench/pull — pull + unpack of a large image from a loopback registry: Berth
 * (`pullImage` into an fs content store + overlay snapshotter) against `docker pull` on a
 * private dockerd and against `skopeo copy` + GNU tar. Prints medians (wall time, and CPU
 * time, which shared machines disturb less) and ratios, and a breakdown of where Berth's
 * time goes. Needs root. See bench/README.md.
 *
 *   node --conditions=@berth/source --import tsx bench/pull.ts [--runs N] [--only berth,docker,skopeo+tar] [--no-profile]
 */
import { parseArgs } from 'node:util';
import { pushImage } from '@berth/registry-client';
import { type PrivateDockerd, dockerInfo, startDockerd } from './lib/dockerd.js';
import { type LocalRegistry, startRegistry } from './lib/registry.js';
import { removeTree, scratchDir, settle } from './lib/scratch.js';
import { megabytes, seconds, since } from './lib/stats.js';
import { benchImage } from './pull/bench-image.js';
import { type BerthProfile, profileBerth } from './pull/berth-profile.js';
import { type BerthPullTiming, berthPull } from './pull/berth-pull.js';
import { dockerPull } from './pull/docker-pull.js';
import { type Contender, type PullSamples, printReport } from './pull/report.js';
import { skopeoTar } from './pull/skopeo-tar.js';

const log = (line: string) => console.log(line);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      only: { type: 'string', default: 'berth,docker,skopeo+tar' },
      'no-profile': { type: 'boolean', default: false },
    },
  });
  const allContenders: Contender[] = ['berth', 'docker', 'skopeo+tar'];
  const contenders = values.only.split(',').map((name) => {
    if (!allContenders.includes(name as Contender)) throw new Error(`--only takes a list of ${allContenders.join(', ')}; not "${name}"`);
    return name as Contender;
  });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, not ${values.runs}`);
  if (process.getuid?.() !== 0) throw new Error('bench/pull needs root (overlay mounts, dockerd, chown)');

  const work = await scratchDir('pull');
  let registry: LocalRegistry | undefined;
  let dockerd: PrivateDockerd | undefined;
  const cleanUp = async () => {
    await dockerd?.stop().catch((err: unknown) => console.error(`stopping dockerd: ${String(err)}`));
    dockerd = undefined;
    await registry?.stop().catch((err: unknown) => console.error(`stopping docker-registry: ${String(err)}`));
    registry = undefined;
    await removeTree(work);
  };
  const onSignal = () => {
    console.error('interrupted: cleaning up');
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);

  try {
    let start = performance.now();
    const image = await benchImage(log);
    log(
      `image: ${image.layers} layers, ${megabytes(image.compressedBytes)} compressed, ${megabytes(image.uncompressedBytes)} uncompressed, ` +
        `${image.files} entries (${image.built ? `built in ${seconds(since(start))}` : `cached in ${image.layout}`})`,
    );

    registry = await startRegistry(await scratchDir('registry', work));
    const reference = `${registry.host}/bench/pull:latest`;
    start = performance.now();
    await pushImage(reference, { image: image.image });
    log(`pushed to docker-registry (pid ${registry.pid}) as ${reference} in ${seconds(since(start))}`);

    // Under /tmp, not the scratch dir: containerd's sockets under the exec root must fit in 108 bytes.
    if (contenders.includes('docker')) dockerd = await startDockerd(await scratchDir('dockerd', '/tmp'));
    const info = dockerd ? await dockerInfo(dockerd) : undefined;
    if (info) log(`dockerd ${info.ServerVersion} (pid ${dockerd!.pid}), storage driver ${info.Driver}, insecure registries ${info.insecure.join(', ') || 'none'}`);
    if (info && !info.insecure.includes('127.0.0.0/8')) throw new Error('dockerd does not treat 127.0.0.0/8 as insecure; it cannot pull over plain HTTP');

    const runOne = async (contender: Contender): Promise<{ ms: number; cpuMs: number; detail: string; berth?: BerthPullTiming }> => {
      const dir = await scratchDir(contender.replace('+', '-'), work);
      try {
        switch (contender) {
          case 'berth': {
            const t = await berthPull(reference, dir);
            return {
              ms: t.totalMs,
              cpuMs: t.cpuMs,
              detail: `downloads done at ${seconds(t.downloadsDoneMs)}, applying layers ${seconds(t.applyMs)}, ${megabytes(t.downloadedBytes)}`,
              berth: t,
            };
          }
          case 'docker': {
            const t = await dockerPull(dockerd!, reference);
            return { ms: t.totalMs, cpuMs: t.cpuMs, detail: '' };
          }
          case 'skopeo+tar': {
            const t = await skopeoTar(reference, dir);
            return { ms: t.totalMs, cpuMs: t.cpuMs, detail: `skopeo copy ${seconds(t.copyMs)}, tar ${seconds(t.extractMs)}` };
          }
        }
      } finally {
        await removeTree(dir);
        await settle();
      }
    };

    const samples: PullSamples = {
      runs,
      wall: new Map(contenders.map((c) => [c, []])),
      cpu: new Map(contenders.map((c) => [c, []])),
      berth: [],
    };
    log(`\n1 warm-up round (not counted), then ${runs} rounds alternating ${contenders.join(', ')}, the first one rotating; page caches are not dropped; \`sync\` after each run`);
    for (let round = 0; round <= runs; round++) {
      const order = contenders.map((_, i) => contenders[(i + round) % contenders.length]!);
      for (const contender of order) {
        const result = await runOne(contender);
        log(
          `${round === 0 ? 'warm-up' : `round ${round}`}  ${contender.padEnd(10)} ${seconds(result.ms).padStart(9)}  ` +
            `cpu ${seconds(result.cpuMs).padStart(9)}  ${result.detail}`,
        );
        if (round > 0) {
          samples.wall.get(contender)!.push(result.ms);
          samples.cpu.get(contender)!.push(result.cpuMs);
          if (result.berth) samples.berth.push(result.berth);
        }
      }
    }

    let profile: BerthProfile | undefined;
    if (!values['no-profile'] && contenders.includes('berth')) {
      log('\nprofiling Berth: download alone, unpack alone (from local blobs), then each layer phase by phase');
      profile = await profileBerth(reference, image.image, image.layout, work);
    }
    printReport(samples, profile, log);
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    await cleanUp();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
