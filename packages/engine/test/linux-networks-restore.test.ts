import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ConflictError } from '@berth/errdefs';
import { describeIntegration } from '@berth/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Engine } from '@berth/engine';
import {
  type BridgeEngineFixture,
  type BridgeEngineSettings,
  addressOn,
  eventually,
  execIn,
  fetchIn,
  hostLinksContaining,
  iptablesLinesContaining,
  leftovers,
  lookupFrom,
  mountsUnder,
  newBridgeEngineSettings,
  openBridgeEngine,
  expectPingReaches,
} from './support/linux-net-fixture.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const childScript = join(packageDir, 'test', 'support', 'linux-net-restore-child.ts');

interface ChildReport {
  web: string;
  client: string;
  plain: string;
  /** Exits while no engine watches; its endpoint must be released when the next engine opens. */
  dying: string;
  dyingEndpoint: string;
  /** Host sides of its veth pairs while it ran. */
  dyingVeths: string[];
  port: number;
}

/** Starts the child engine; resolves with what it printed. */
function startChild(settings: BridgeEngineSettings): { child: ChildProcess; report: Promise<ChildReport> } {
  const child = spawn(
    process.execPath,
    ['--conditions=@berth/source', '--import', 'tsx', childScript, settings.tag, settings.subnetBase, settings.workDir, settings.stateRoot],
    { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const report = new Promise<ChildReport>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line) as ChildReport));
    child.once('exit', (code, signal) => reject(new Error(`engine child exited (${code ?? signal}) before reporting: ${stderr}`)));
  });
  return { child, report };
}

/** runc's status of container `id` of the engine whose state root is `stateRoot` (`gone` when runc does not know it). */
async function runcStatus(stateRoot: string, id: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)('runc', ['--root', join(stateRoot, 'runtime', 'runc'), 'state', id]);
    return (JSON.parse(stdout) as { status: string }).status;
  } catch {
    return 'gone';
  }
}

async function hostFetch(port: number): Promise<string | undefined> {
  return fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(3000) }).then(
    async (response) => response.text(),
    () => undefined,
  );
}

// Live restore of networking on the real engine: an engine process with containers on a user
// network and the default bridge is SIGKILLed; a new engine on the same roots keeps their
// networking (published port, names through the embedded DNS), serves new containers, and
// removing everything leaves nothing on the host.
describeIntegration(
  'linux engine networking after a crash and restart',
  { root: true, commands: ['runc', 'conmon', 'iptables', 'iptables-save', 'ip', 'nsenter', 'unshare'] },
  () => {
    let child: ChildProcess | undefined;
    let fixture: BridgeEngineFixture | undefined;
    let engine: Engine;
    let report: ChildReport;
    let tag = '';
    const page = () => `hello from web ${tag}\n`;

    beforeAll(async () => {
      const settings = await newBridgeEngineSettings();
      tag = settings.tag;
      try {
        const started = startChild(settings);
        child = started.child;
        report = await started.report;
        // The published port works before the crash (so a failure below is the restart's).
        expect(await eventually(async () => (await hostFetch(report.port)) === page())).toBe(true);
        const killed = new Promise((resolve) => child!.once('exit', resolve));
        child.kill('SIGKILL');
        await killed;
        // While no engine watches, one container exits.
        await writeFile(join(settings.workDir, 'trigger', 'exit'), '');
        expect(await eventually(async () => (await runcStatus(settings.stateRoot, report.dying)) !== 'running')).toBe(true);
      } finally {
        fixture = await openBridgeEngine(settings);
        engine = fixture.engine;
      }
    }, 90_000);

    afterAll(async () => {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await fixture?.dispose();
    }, 60_000);

    it('keeps the adopted containers running with their published port', async () => {
      for (const id of [report.web, report.client, report.plain]) {
        expect((await engine.containers.inspect(id)).state.status).toBe('running');
        await fixture!.track(id);
      }
      expect(await hostFetch(report.port)).toBe(page());
    });

    it('releases the networking of a container that exited while no engine watched', async () => {
      expect((await engine.containers.inspect(report.dying)).state).toMatchObject({ status: 'exited', exitCode: 3 });
      expect(report.dyingEndpoint).toMatch(/^[0-9a-f]{64}$/);
      expect(report.dyingVeths.length).toBeGreaterThan(0);
      for (const veth of report.dyingVeths) {
        fixture!.veths.add(veth);
        expect(await hostLinksContaining(veth)).toEqual([]);
      }
      expect(await iptablesLinesContaining(`:${report.dyingEndpoint.slice(0, 12)}`)).toEqual([]);
      expect(await mountsUnder(join(fixture!.stateRoot, 'netns', report.dying))).toEqual([]);
    });

    it('still resolves names and aliases on the user network through the embedded DNS', async () => {
      const network = `bt-net-${tag}`;
      const webAddress = await addressOn(engine, report.web, network);
      const lookup = await execIn(engine, report.client, ['nslookup', `frontend-${tag}`]);
      expect(lookup.output).toContain(webAddress);
      expect(await fetchIn(engine, report.client, `http://web-${tag}/`)).toBe(page());
    });

    it('still refuses to remove or prune a volume an adopted container uses', async () => {
      await expect(engine.volumes.remove(`data-${tag}`)).rejects.toBeInstanceOf(ConflictError);
      const pruned = await engine.volumes.prune({ filters: { all: ['true'] } });
      expect(pruned.volumesDeleted).not.toContain(`data-${tag}`);
      expect((await execIn(engine, report.client, ['sh', '-c', 'echo ok > /data/f && cat /data/f'])).output).toBe('ok\n');
    });

    // Each a test of its own with room to spare: a name lookup that times out costs seconds per try.
    it('connects a new container to the restored user network: it and the adopted ones find each other', async () => {
      const network = `bt-net-${tag}`;
      const { id } = await engine.containers.create({ image: 'busybox', name: `late-${tag}`, cmd: ['sleep', '1000'], networkMode: network });
      await engine.containers.start(id);
      await fixture!.track(id);
      expect(await fetchIn(engine, id, `http://frontend-${tag}/`)).toBe(page());
      const lateAddress = await addressOn(engine, id, network);
      expect(await lookupFrom(engine, report.client, `late-${tag}`)).toEqual([lateAddress]);
      await expectPingReaches(engine, report.client, lateAddress);
    }, 60_000);

    it('connects a new container to the restored default bridge: it reaches the adopted one', async () => {
      const other = await engine.containers.create({ image: 'busybox', cmd: ['sleep', '1000'] });
      await engine.containers.start(other.id);
      await fixture!.track(other.id);
      await expectPingReaches(engine, other.id, await addressOn(engine, report.plain, 'bridge'));
    }, 60_000);

    it('publishes the port again after the adopted container restarts', async () => {
      await engine.containers.restart(report.web, { timeout: 0 });
      await fixture!.track(report.web);
      const port = (await engine.containers.inspect(report.web)).networkSettings.ports['80/tcp']?.[0]?.hostPort ?? 0;
      expect(port).toBeGreaterThan(0);
      expect(await eventually(async () => (await hostFetch(port)) === page())).toBe(true);
    });

    it('leaves no links, rules, chains, namespaces or mounts behind once everything is removed', async () => {
      await fixture!.dispose();
      expect(await leftovers(fixture!)).toEqual({ links: [], iptables: [], mounts: [] });
    }, 60_000);
  },
);
