import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type HostNetworkSnapshot, restoreHostNetwork, snapshotHostNetwork } from './berth-host-state.js';
import { dockerCli } from './dockerd.js';
import { type CommandResult, runCommand, startDaemon } from './process.js';
import { removeTree } from './scratch.js';
import { pingSocket } from './unix-http.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The built `berthd` binary (`npm run build`), plain Node without a TypeScript loader. */
export const builtBerthd = join(repoRoot, 'packages/daemon/dist/berthd.js');

/** How to start berthd: the built binary, or its source through tsx (`@berth/source`). */
export function berthdCommand(from: 'dist' | 'source'): { command: string; args: string[] } {
  if (from === 'dist') return { command: process.execPath, args: [builtBerthd] };
  return {
    command: process.execPath,
    args: ['--conditions=@berth/source', '--import', 'tsx', join(repoRoot, 'packages/daemon/src/berthd.ts')],
  };
}

/** Packages berthd does not load (layer 3+ clients, test helpers). */
const notInBerthd = new Set(['cli', 'engine-client', 'testkit']);

/**
 * Source files newer than the built `berthd` (in the packages it bundles from), or the reason
 * it cannot be used: a benchmark of a stale build measures old code.
 */
export async function staleBuild(): Promise<string | undefined> {
  if (!existsSync(builtBerthd)) return `${builtBerthd} does not exist (run \`npm run build\`)`;
  const built = statSync(builtBerthd).mtimeMs;
  const packages = join(repoRoot, 'packages');
  for (const pkg of await readdir(packages)) {
    const src = join(packages, pkg, 'src');
    if (notInBerthd.has(pkg) || !existsSync(src)) continue;
    for (const file of await readdir(src, { recursive: true })) {
      const info = await stat(join(src, file));
      if (info.isFile() && info.mtimeMs > built) return `packages/${pkg}/src/${file} is newer than the build`;
    }
  }
  return undefined;
}

/** A private berthd the benchmark started: its own socket, data root, exec root and default bridge. */
export interface PrivateBerthd {
  readonly socket: string;
  /** `unix:///…/berthd.sock`, for `docker -H`. */
  readonly host: string;
  readonly pid: number;
  /** Its exec root (`/run/bt-api-<hex>`: short, conmon's socket paths must fit in 108 bytes). */
  readonly execRoot: string;
  /** Linux name of its default bridge (`bba<hex>`). */
  readonly bridgeName: string;
  /** Runs the docker CLI (the same one as against dockerd) against this daemon. */
  docker(args: string[], options?: { allowFailure?: boolean }): Promise<CommandResult>;
  /**
   * Stops berthd by its pid (SIGTERM: graceful), then removes its roots and what its bridge
   * driver left on the host (default bridge, rules, chains it created). Remove containers
   * and user networks through the API first.
   */
  stop(): Promise<void>;
}

/**
 * Starts berthd (the real engine: runc under conmon, overlayfs, the bridge driver) under
 * `dir`: socket and data root inside it, exec root `/run/bt-api-<hex>`, default bridge
 * `bba<hex>`. The bridge driver's chains are berthd's (`BERTH-…`); `stop` deletes them if
 * they did not exist before, else only the rules of our bridge. Resolves once `/_ping` answers.
 */
export async function startBerthd(dir: string, options: { from?: 'dist' | 'source' } = {}): Promise<PrivateBerthd> {
  const tag = randomBytes(3).toString('hex');
  const socket = join(dir, 'berthd.sock');
  const host = `unix://${socket}`;
  const dataRoot = join(dir, 'data');
  const execRoot = `/run/bt-api-${tag}`;
  const bridgeName = `bba${tag}`;
  await mkdir(dataRoot, { recursive: true });
  const before: HostNetworkSnapshot = await snapshotHostNetwork();
  const { command, args } = berthdCommand(options.from ?? 'dist');
  const docker = (dockerArgs: string[], opts: { allowFailure?: boolean } = {}) =>
    runCommand(dockerCli, ['-H', host, ...dockerArgs], { ...opts, env: { ...process.env, DOCKER_CONFIG: join(dir, 'cli') } });
  const undo = async () => {
    await removeTree(execRoot);
    await removeTree(dir);
    await restoreHostNetwork(before, { bridges: [bridgeName] });
  };
  let daemon;
  try {
    daemon = await startDaemon(command, [...args, '-H', host, '--data-root', dataRoot, '--exec-root', execRoot, '--bridge', bridgeName], {
      logFile: join(dir, 'berthd.log'),
      timeoutMs: 60_000,
      ready: () => pingSocket(socket),
    });
  } catch (err) {
    await undo();
    throw err;
  }
  const started = daemon;
  return {
    socket,
    host,
    pid: started.pid,
    execRoot,
    bridgeName,
    docker,
    async stop() {
      await started.stop(30_000);
      await undo();
    },
  };
}
