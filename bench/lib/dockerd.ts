import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CommandResult, runCommand, startDaemon } from './process.js';
import { removeTree } from './scratch.js';

/** A private dockerd the benchmark started: its own socket, data root and exec root. */
export interface PrivateDockerd {
  /** `unix:///…/docker.sock`, for `docker -H`. */
  readonly host: string;
  readonly pid: number;
  /** Runs the docker CLI against this daemon. */
  docker(args: string[], options?: { allowFailure?: boolean }): Promise<CommandResult>;
  /** Stops dockerd by its pid, waits, unmounts what it left under its dirs and removes them. */
  stop(): Promise<void>;
}

/** The docker CLI to use: Debian's (matching its dockerd) when installed. */
export const dockerCli = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';

/**
 * Starts Debian's `dockerd` (package `docker.io`) under `dir` with nothing shared with a
 * system daemon: socket, `--data-root`, `--exec-root` and pid file all inside `dir`, no
 * bridge and no iptables rules (`--bridge=none`), so it touches no global network state.
 * It launches its own containerd under the exec root, which exits with it. Extra daemon
 * flags go in `flags`. Resolves once `docker version` answers.
 */
export async function startDockerd(dir: string, flags: string[] = []): Promise<PrivateDockerd> {
  const dataRoot = join(dir, 'data');
  const execRoot = join(dir, 'exec');
  await mkdir(dataRoot, { recursive: true });
  await mkdir(execRoot, { recursive: true });
  const socket = join(dir, 'docker.sock');
  const host = `unix://${socket}`;
  const docker = (args: string[], options: { allowFailure?: boolean } = {}) =>
    runCommand(dockerCli, ['-H', host, ...args], { ...options, env: { ...process.env, DOCKER_CONFIG: join(dir, 'cli') } });
  const daemon = await startDaemon(
    'dockerd',
    [
      '-H',
      host,
      '--data-root',
      dataRoot,
      '--exec-root',
      execRoot,
      '--pidfile',
      join(dir, 'docker.pid'),
      '--bridge=none',
      '--iptables=false',
      '--ip6tables=false',
      ...flags,
    ],
    {
      logFile: join(dir, 'dockerd.log'),
      timeoutMs: 60_000,
      ready: async () => existsSync(socket) && (await docker(['version'], { allowFailure: true })).code === 0,
    },
  );
  const pidFile = Number((await readFile(join(dir, 'docker.pid'), 'utf8').catch(() => '')).trim());
  if (pidFile && pidFile !== daemon.pid) {
    await daemon.stop();
    throw new Error(`dockerd's pid file says ${pidFile}, but it was started as ${daemon.pid}`);
  }
  return {
    host,
    pid: daemon.pid,
    docker,
    async stop() {
      await daemon.stop(30_000);
      await removeTree(dir);
    },
  };
}

/** What `docker info` says about the daemon that matters to benchmarks. */
export interface DockerInfo {
  ServerVersion: string;
  /** Storage driver (`overlay2`…). */
  Driver: string;
  /** CIDRs of registries reached over plain HTTP (`127.0.0.0/8` by default). */
  insecure: string[];
}

/** `docker info` of a private dockerd. */
export async function dockerInfo(dockerd: PrivateDockerd): Promise<DockerInfo> {
  const info = JSON.parse((await dockerd.docker(['info', '--format', '{{json .}}'])).stdout) as {
    ServerVersion: string;
    Driver: string;
    RegistryConfig?: { InsecureRegistryCIDRs?: string[] };
  };
  return { ServerVersion: info.ServerVersion, Driver: info.Driver, insecure: info.RegistryConfig?.InsecureRegistryCIDRs ?? [] };
}
