/**
 * The README's demo: berthd on its default socket, driven by the docker CLI.
 *
 *   scripts/demo            (runs scripts/setup, then this file; needs root)
 *
 *  1. start berthd (the real engine: runc under conmon, overlayfs, the bridge driver) on
 *     unix:///run/berth/berthd.sock — refused if something already listens there
 *  2. load the busybox image (built from the host's /bin/busybox, no registry involved)
 *  3. create a user network and a named volume, write an index.html into the volume
 *  4. run busybox httpd on the network with the volume and a published port
 *  5. fetch the page from the host through the published port
 *  6. fetch it by container name from a second container on the same network
 *  7. clean up: containers, network, volume, image (if the demo loaded it), berthd, the
 *     socket — and, when the demo created them, the data and exec roots, the default
 *     bridge, berthd's iptables chains and ip_forward. Also on failure and on Ctrl-C.
 *
 * The docker CLI is `docker` on PATH (DOCKER_HOST=unix:///run/berth/berthd.sock), or
 * Berth's own `berth` CLI when there is none.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeDockerArchive } from '@berth/image';
import { busyboxImage } from '@berth/image/testing';
import { z } from 'zod';
import {
  type HostNetworkSnapshot,
  HostNetworkSnapshotJson,
  restoreHostNetwork,
  snapshotFromJson,
  snapshotHostNetwork,
  snapshotToJson,
} from '../bench/lib/berth-host-state.js';
import { freePort } from '../bench/lib/free-port.js';
import { type CommandResult, runCommand } from '../bench/lib/process.js';
import { mountsUnder } from '../bench/lib/scratch.js';
import { pingSocket } from '../bench/lib/unix-http.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
/** berthd's defaults: the demo passes no flags. */
const socketPath = '/run/berth/berthd.sock';
const dataRoot = '/var/lib/berth';
const execRoot = '/run/berth';
const defaultBridge = 'berth0';
/** Left in a data root the demo created, so a later run knows it may clean it up. */
const demoMarker = join(dataRoot, '.created-by-berth-demo');
const names = {
  network: 'berth-demo-net',
  volume: 'berth-demo-www',
  web: 'berth-demo-web',
  writer: 'berth-demo-writer',
  client: 'berth-demo-client',
};
const page = '<h1>Hello from Berth</h1><p>busybox httpd, serving a named volume</p>';

const bold = (text: string) => `\x1b[1m${text}\x1b[0m`;
const dim = (text: string) => `\x1b[2m${text}\x1b[0m`;
const green = (text: string) => `\x1b[32m${text}\x1b[0m`;
const red = (text: string) => `\x1b[31m${text}\x1b[0m`;
let stepNumber = 0;
function step(title: string): void {
  console.log(`\n${bold(`[${++stepNumber}] ${title}`)}`);
}
const say = (line: string) => console.log(`    ${line}`);
const ok = (line: string) => say(`${green('✓')} ${line}`);

/** The client the demo drives: the docker CLI, or `berth` when no docker CLI is installed. */
interface Cli {
  /** What it is called in the printed commands. */
  name: string;
  command: string;
  prefix: string[];
}

/** `docker` on PATH, else `berth` (built, else from source); `BERTH_DEMO_CLI=berth` picks `berth` anyway. */
async function findCli(): Promise<Cli> {
  const which = await runCommand('sh', ['-c', 'command -v docker'], { allowFailure: true });
  const docker = which.stdout.trim();
  if (process.env['BERTH_DEMO_CLI'] !== 'berth' && which.code === 0 && docker) return { name: 'docker', command: docker, prefix: [] };
  const built = join(repoRoot, 'packages/cli/dist/berth.js');
  if (existsSync(built)) return { name: 'berth', command: process.execPath, prefix: [built] };
  return {
    name: 'berth',
    command: process.execPath,
    prefix: ['--conditions=@berth/source', '--import', 'tsx', join(repoRoot, 'packages/cli/src/berth.ts')],
  };
}

/**
 * Runs a command to completion in its own process group, so that Ctrl-C reaches only the
 * demo: the clean-up's commands run to their end; `signal` stops a step's command (SIGTERM).
 */
function runDetached(command: string, args: string[], options: { env: NodeJS.ProcessEnv; signal?: AbortSignal }): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    options.signal?.throwIfAborted();
    const child = spawn(command, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const stop = () => child.kill('SIGTERM');
    options.signal?.addEventListener('abort', stop, { once: true });
    child.once('error', reject);
    child.once('close', (code) => {
      options.signal?.removeEventListener('abort', stop);
      if (options.signal?.aborted) return reject(options.signal.reason);
      resolve({ code: code ?? 128, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** An argument as it would be typed in a shell. */
function shellQuote(arg: string): string {
  if (/^[\w@%+=:,./-]+$/.test(arg)) return arg;
  if (!arg.includes("'")) return `'${arg}'`;
  return `"${arg.replace(/["\\$`]/g, (c) => `\\${c}`)}"`;
}

/**
 * The marker file in a data root the demo created: the host's network state from before the
 * demo began, and the demo's berthd — so that a run after an interrupted one (its process
 * killed) can still undo everything and tell which berthd to stop.
 */
const DemoMarker = z.object({
  note: z.string(),
  hostBefore: HostNetworkSnapshotJson,
  berthdPid: z.number().int().optional(),
  /** The demo's temporary directory (archive, berthd's log). */
  workDir: z.string().optional(),
});
type DemoMarker = z.infer<typeof DemoMarker>;

async function readMarker(): Promise<DemoMarker | undefined> {
  const text = await readFile(demoMarker, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const parsed = DemoMarker.safeParse((() => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  })());
  // Unreadable: still the demo's data root, but nothing to restore from.
  return parsed.success ? parsed.data : { note: 'unreadable marker', hostBefore: snapshotToJson(await snapshotHostNetwork()) };
}

async function writeMarker(content: Omit<DemoMarker, 'note'>): Promise<void> {
  const note = 'This data root was created by scripts/demo, which removes it when it finishes.';
  await writeFile(demoMarker, `${JSON.stringify({ note, ...content }, null, 2)}\n`);
}

/** Whether anything accepts connections on a unix socket (not only a berthd). */
function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The berthd the demo started, detached in its own process group so Ctrl-C reaches only the demo. */
interface Berthd {
  child: ChildProcess;
  exited: Promise<void>;
  logFile: string;
}

function startBerthd(logFile: string): Berthd {
  const built = join(repoRoot, 'packages/daemon/dist/berthd.js');
  const args = existsSync(built)
    ? [built]
    : ['--conditions=@berth/source', '--import', 'tsx', join(repoRoot, 'packages/daemon/src/berthd.ts')];
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, args, { stdio: ['ignore', log, log], detached: true });
  closeSync(log);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  return { child, exited, logFile };
}

const running = (berthd: Berthd) => berthd.child.exitCode === null && berthd.child.signalCode === null;

/** SIGTERM (berthd shuts down gracefully and removes its socket), SIGKILL after 20 s. */
async function stopBerthd(berthd: Berthd): Promise<void> {
  if (!running(berthd)) return;
  berthd.child.kill('SIGTERM');
  const timer = setTimeout(() => berthd.child.kill('SIGKILL'), 20_000);
  await berthd.exited;
  clearTimeout(timer);
}

async function logTail(file: string, lines = 15): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

async function main(signal: AbortSignal): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new Error('the demo runs containers (runc, overlayfs, a bridge) and must run as root');
  }
  const work = await mkdtemp(join(tmpdir(), 'berth-demo-'));
  const cli = await findCli();
  const env = { ...process.env, DOCKER_HOST: `unix://${socketPath}`, DOCKER_CONFIG: join(work, 'docker-config') };
  /** Set once the clean-up starts: its commands are not cancelled by Ctrl-C. */
  let cleaningUp = false;
  /** Runs the CLI, printing the command (as you would type it) and what it printed. */
  const run = async (args: string[], options: { quiet?: boolean; allowFailure?: boolean } = {}): Promise<CommandResult> => {
    if (!options.quiet) console.log(`    ${dim(`$ ${cli.name} ${args.map(shellQuote).join(' ')}`)}`);
    const result = await runDetached(cli.command, [...cli.prefix, ...args], { env, ...(cleaningUp ? {} : { signal }) });
    if (result.code !== 0 && !options.allowFailure) {
      throw new Error(`${cli.name} ${args.join(' ')} exited with ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`);
    }
    if (!options.quiet) for (const line of result.stdout.trimEnd().split('\n').filter((l) => l !== '')) say(`  ${line}`);
    return result;
  };

  let berthd: Berthd | undefined;
  let hostBefore: HostNetworkSnapshot | undefined;
  let ownsDataRoot = false;
  let ownsExecRoot = false;
  let loadedImage = false;
  let networkBridge: string | undefined;
  try {
    step(`Start berthd on its default socket, unix://${socketPath}`);
    const marker = await readMarker();
    if (await socketAnswers(socketPath)) {
      const earlier = marker?.berthdPid;
      const hint = earlier && existsSync(`/proc/${earlier}`) ? ` It may be the berthd of an interrupted earlier demo: \`kill ${earlier}\`, then run the demo again.` : '';
      throw new Error(
        `something already listens on ${socketPath} (a berthd?). The demo starts its own berthd there and leaves a running one alone: stop it first.${hint}`,
      );
    }
    ownsDataRoot = !existsSync(dataRoot) || marker !== undefined;
    ownsExecRoot = !existsSync(execRoot) || ownsDataRoot;
    // An interrupted earlier demo's snapshot: what the host was like before that demo began.
    hostBefore = marker ? snapshotFromJson(marker.hostBefore) : await snapshotHostNetwork();
    if (ownsDataRoot) {
      await mkdir(dataRoot, { recursive: true, mode: 0o711 });
      // An interrupted demo could not remove its temporary directory: this one does.
      if (marker?.workDir?.startsWith(join(tmpdir(), 'berth-demo-'))) await rm(marker.workDir, { recursive: true, force: true });
      await writeMarker({ hostBefore: snapshotToJson(hostBefore), workDir: work });
    }
    berthd = startBerthd(join(work, 'berthd.log'));
    const deadline = Date.now() + 60_000;
    while (!(await pingSocket(socketPath))) {
      if (!running(berthd)) throw new Error(`berthd exited before it answered:\n${await logTail(berthd.logFile)}`);
      if (Date.now() > deadline) throw new Error(`berthd did not answer on ${socketPath} within 60 s:\n${await logTail(berthd.logFile)}`);
      signal.throwIfAborted();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (ownsDataRoot) await writeMarker({ hostBefore: snapshotToJson(hostBefore), workDir: work, berthdPid: berthd.child.pid! });
    say(`berthd pid ${berthd.child.pid}, data root ${dataRoot}${ownsDataRoot ? ' (new: removed at the end)' : ' (existing: kept)'}, exec root ${execRoot}`);
    say(`client: ${cli.name === 'docker' ? cli.command : 'berth'} with DOCKER_HOST=unix://${socketPath}`);
    if (ownsDataRoot) {
      // Left over from an interrupted earlier run (its berthd was killed): remove them quietly.
      await run(['rm', '-f', names.web, names.writer, names.client], { quiet: true, allowFailure: true });
      await run(['network', 'rm', names.network], { quiet: true, allowFailure: true });
      await run(['volume', 'rm', names.volume], { quiet: true, allowFailure: true });
    }
    await run(['version', '--format', 'client {{.Client.Version}} (API {{.Client.APIVersion}}), server {{.Server.Version}} (API {{.Server.APIVersion}})']);

    step('Load the busybox image (built from /bin/busybox: no registry, no Docker Hub)');
    if (!ownsDataRoot && (await run(['image', 'inspect', 'busybox:latest'], { quiet: true, allowFailure: true })).code === 0) {
      say('busybox:latest is already there: using it (and keeping it)');
    } else {
      const archive = join(work, 'busybox.tar');
      await writeDockerArchive(archive, [{ image: busyboxImage(), tags: ['busybox:latest'] }], { signal });
      loadedImage = true;
      await run(['load', '-i', archive]);
    }
    await run(['images', 'busybox']);

    step('Create a user network and a named volume');
    await run(['network', 'create', names.network]);
    const [network] = JSON.parse((await run(['network', 'inspect', names.network], { quiet: true })).stdout) as Array<{ Id: string; IPAM: { Config: Array<{ Subnet?: string }> } }>;
    const subnet = network?.IPAM.Config.map((c) => c.Subnet).join(', ');
    networkBridge = `br-${network?.Id.slice(0, 12)}`;
    ok(`network ${names.network}: subnet ${subnet}, Linux bridge ${networkBridge}`);
    await run(['volume', 'create', names.volume]);

    step('Write index.html into the volume from a throwaway container');
    await run(['run', '--rm', '--name', names.writer, '-v', `${names.volume}:/www`, 'busybox', 'sh', '-c', `echo '${page}' > /www/index.html`]);
    const [volume] = JSON.parse((await run(['volume', 'inspect', names.volume], { quiet: true })).stdout) as Array<{ Mountpoint: string }>;
    const mountpoint = volume?.Mountpoint ?? '?';
    ok(`on the host: ${join(mountpoint, 'index.html')}`);

    step('Run busybox httpd on the network, with the volume and a published port');
    const port = await freePort();
    await run([
      'run', '-d', '--name', names.web, '--network', names.network, '-v', `${names.volume}:/www:ro`, '-p', `127.0.0.1:${port}:80`,
      'busybox', 'httpd', '-f', '-p', '80', '-h', '/www',
    ]);
    await run(['ps', '--filter', `name=${names.web}`, '--format', '{{.Names}}  {{.Status}}  {{.Ports}}']);
    await run(['port', names.web]);

    step('Fetch the page from the host, through the published port');
    const url = `http://127.0.0.1:${port}/`;
    say(dim(`GET ${url}`));
    const body = await fetchWhenUp(url, signal);
    say(`  ${body.trim()}`);
    if (body.trim() !== page) throw new Error(`the page from ${url} is not the one written into the volume: ${body}`);
    ok('the host reached httpd through the published port');

    step('Fetch it by name from a second container on the same network');
    const byName = (await run(['run', '--rm', '--name', names.client, '--network', names.network, 'busybox', 'wget', '-qO-', `http://${names.web}/`])).stdout;
    if (byName.trim() !== page) throw new Error(`the page fetched by name is not the one written into the volume: ${byName}`);
    ok(`${names.web} resolved by the network's DNS and answered`);

    console.log(`\n${green('done')}: berthd served the ${cli.name} CLI — image, network, volume, published port, DNS by name.`);
  } catch (err) {
    if (berthd && !signal.aborted) console.log(`\n${red("berthd's log (last lines):")}\n${await logTail(berthd.logFile)}`);
    throw err;
  } finally {
    cleaningUp = true;
    if (berthd) step('Clean up');
    if (berthd && running(berthd)) {
      await run(['rm', '-f', names.web, names.writer, names.client], { allowFailure: true });
      await run(['network', 'rm', names.network], { allowFailure: true });
      await run(['volume', 'rm', names.volume], { allowFailure: true });
      if (loadedImage) await run(['rmi', 'busybox:latest'], { allowFailure: true });
    } else if (berthd) {
      say(red(`berthd is not running any more; its log:\n${await logTail(berthd.logFile)}`));
    }
    if (berthd) {
      await stopBerthd(berthd);
      say(`berthd (pid ${berthd.child.pid}) stopped`);
    }
    // Ours only if berthd started (else it may belong to whatever was listening).
    if (berthd) await rm(socketPath, { force: true });
    if (hostBefore) {
      const removed = await restoreHostNetwork(hostBefore, { bridges: [defaultBridge, ...(networkBridge ? [networkBridge] : [])] });
      if (removed.length > 0) say(`host network: removed ${removed.join(', ')}`);
    }
    for (const [root, owned] of [
      [dataRoot, ownsDataRoot],
      [execRoot, ownsExecRoot],
    ] as const) {
      if (!owned || !berthd) continue;
      const mounted = await mountsUnder(root);
      if (mounted.length > 0) {
        say(red(`${root} still has mounts (${mounted.join(', ')}): left in place`));
        process.exitCode = 1;
        continue;
      }
      await rm(root, { recursive: true, force: true });
      say(`removed ${root}`);
    }
    await rm(work, { recursive: true, force: true });
  }
}

/** The page at `url`, polling until httpd answers (at most 10 s). */
async function fetchWhenUp(url: string, signal: AbortSignal): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(2_000)]) });
      const text = await response.text();
      say(`  HTTP ${response.status} ${response.statusText}, ${response.headers.get('content-length') ?? text.length} bytes`);
      if (!response.ok) throw new Error(`${url} answered ${response.status}`);
      return text;
    } catch (err) {
      signal.throwIfAborted();
      if (Date.now() > deadline) throw new Error(`nothing answered on ${url} within 10 s: ${(err as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

const controller = new AbortController();
let interrupts = 0;
const onSignal = (name: string) => {
  if (interrupts++ === 0) {
    console.error(`\n${name}: stopping, then cleaning up (the clean-up runs to its end)`);
    controller.abort(new Error(`interrupted by ${name}`));
  }
};
process.on('SIGINT', () => onSignal('SIGINT')).on('SIGTERM', () => onSignal('SIGTERM')).on('SIGHUP', () => onSignal('SIGHUP'));
main(controller.signal).then(
  () => process.exit(),
  (err: unknown) => {
    console.error(`\n${red('demo failed:')} ${(err as Error)?.message ?? err}`);
    process.exit(controller.signal.aborted ? 130 : 1);
  },
);
