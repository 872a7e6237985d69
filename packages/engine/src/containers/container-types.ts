import type { Readable, Writable } from 'node:stream';
import type { ContainerConfigInput, ContainerState, ContainerStatus, Resources, RestartPolicy } from '@berth/container';
import type { Endpoint, PortBinding } from '@berth/network';
import type { FileChange } from '@berth/image';
import type { ImageConfig } from '@berth/spec';
import type { ContainerNetworkStats } from './container-network-stats.js';

/** How a container's ports are published: `'80/tcp' → [{ hostIp, hostPort }]` (hostPort `''`/0: any free port). */
export type PortBindings = Record<string, Array<{ hostIp?: string; hostPort?: string | number }>>;

/** Options of `containers.create`: the container config plus naming and networking. */
export interface ContainerCreateOptions extends ContainerConfigInput {
  /** `[a-zA-Z0-9][a-zA-Z0-9_.-]+`; none generates docker's `adjective_surname`. A taken name is `Conflict`. */
  name?: string;
  /** `bridge` (default), `host`, `none`, `container:<id>`, or a network name. */
  networkMode?: string;
  /** Ports exposed without publishing (`'80/tcp'`), in addition to the image's. */
  exposedPorts?: string[];
  portBindings?: PortBindings;
  /** `-P`: publish every exposed port on a random host port. */
  publishAllPorts?: boolean;
  /** Per-network endpoint settings (aliases, static addresses) of the networks joined at start. */
  networks?: Record<string, { aliases?: string[]; ipv4Address?: string; ipv6Address?: string }>;
  /** Remove the container when it exits (`--rm`). */
  autoRemove?: boolean;
  /** `host:ip` entries for /etc/hosts. */
  extraHosts?: string[];
  dns?: string[];
  platform?: string;
  /**
   * What the engine does when the healthcheck turns the container `unhealthy` (Podman's
   * `--health-on-failure`; docker itself only reports it): `none` (default), `kill`, `stop`,
   * or `restart`.
   */
  healthOnFailure?: 'none' | 'kill' | 'stop' | 'restart';
  /**
   * docker's `--volumes-from`: `other`, `other:ro` or `other:rw`. At create the container gets
   * every volume and bind mount of each named container at the same destination (`ro`/`rw`
   * force the mode; by default each keeps its own), except where it mounts that destination
   * itself. It becomes a user of those volumes. An unknown container is `NotFound`.
   */
  volumesFrom?: string[];
}

/** What `containers.create` returns. */
export interface ContainerCreateResult {
  id: string;
  warnings: string[];
}

/** Health of a container with a healthcheck. */
export interface ContainerHealth {
  status: 'starting' | 'healthy' | 'unhealthy';
  failingStreak: number;
  log: Array<{ start: Date; end: Date; exitCode: number; output: string }>;
}

/** `docker inspect` of a container, camelCased; carries the information of docker's document. */
export interface ContainerInspect {
  id: string;
  /** Without docker's leading `/`. */
  name: string;
  created: Date;
  /** The process: `path` and `args` as docker reports them. */
  path: string;
  args: string[];
  state: ContainerState & { health?: ContainerHealth };
  /** Image ID. */
  image: string;
  /** The image as the user named it. */
  imageName: string;
  restartCount: number;
  driver: string;
  platform: string;
  mountLabel: string;
  logPath: string;
  /** The effective configuration (image defaults merged). */
  config: ContainerCreateOptions & { image: string; env: string[]; cmd: string[]; entrypoint: string[]; labels: Record<string, string> };
  hostConfig: {
    networkMode: string;
    portBindings: PortBindings;
    publishAllPorts: boolean;
    restartPolicy: RestartPolicy;
    autoRemove: boolean;
    resources: Resources;
  };
  networkSettings: {
    ports: Record<string, PortBinding[] | null>;
    networks: Record<string, Endpoint>;
    sandboxKey: string;
  };
  mounts: Array<{ type: 'bind' | 'volume' | 'tmpfs'; name?: string; source: string; destination: string; driver?: string; mode: string; rw: boolean }>;
  /** Ongoing exec IDs. */
  execIds: string[];
  /** Bytes of the container's writable layer; only with {@link ContainerInspectOptions.size}. */
  sizeRw?: number;
  /** Bytes of its whole root file system (the image's layers plus the writable layer); only with `size`. */
  sizeRootFs?: number;
}

/** Options of `containers.inspect`. */
export interface ContainerInspectOptions {
  /** Compute `sizeRw` and `sizeRootFs` (docker's `inspect --size`): walks the writable layer, so costs I/O. */
  size?: boolean;
}

/** One line of `docker ps`, camelCased. */
export interface ContainerSummary {
  id: string;
  /** Without the leading `/`. */
  names: string[];
  /** The image as named at create. */
  image: string;
  imageId: string;
  /** The command line, joined as docker shows it. */
  command: string;
  created: Date;
  /** docker's `State`. */
  state: ContainerStatus;
  /** docker's human `Status` (`Up 3 seconds`, `Exited (0) 2 minutes ago`). */
  status: string;
  ports: PortBinding[];
  labels: Record<string, string>;
  networks: string[];
  mounts: string[];
  /** Bytes of the container's writable layer; only with {@link ContainerListOptions.size}. */
  sizeRw?: number;
  /** Bytes of its whole root file system (the image's layers plus the writable layer); only with `size`. */
  sizeRootFs?: number;
}

/** Options of `containers.list`. */
export interface ContainerListOptions {
  /** Include stopped containers (docker's `-a`). */
  all?: boolean;
  /** The `limit` most recently created. */
  limit?: number;
  /**
   * docker's filters: `status`, `label`, `name` (substring), `id` (prefix), `ancestor`
   * (image name or ID), `exited` (exit code), `network`, `volume`, `before`, `since`, `health`.
   */
  filters?: Record<string, readonly string[]>;
  /** Compute each container's `sizeRw` and `sizeRootFs` (docker's `ps --size`). */
  size?: boolean;
}

/** Options of `containers.stop` and `restart`. */
export interface ContainerStopOptions {
  /** Signal to send first (default: the container's stop signal). */
  signal?: string;
  /** Seconds to wait before SIGKILL (default: the container's stop timeout, 10). */
  timeout?: number;
}

/** Options of `containers.remove`. */
export interface ContainerRemoveOptions {
  /** Kill a running container first. */
  force?: boolean;
  /** Remove its anonymous volumes too. */
  volumes?: boolean;
}

/** `not-running` (default): wait for a stop, now if already stopped; `next-exit`: the next stop; `removed`: removal. */
export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

/** What `containers.wait` resolves to. */
export interface WaitResult {
  statusCode: number;
  error?: string;
}

/** Options of `containers.logs`. */
export interface ContainerLogsOptions {
  stdout?: boolean;
  stderr?: boolean;
  follow?: boolean;
  since?: Date;
  until?: Date;
  /** Last `tail` lines; `undefined` for all. */
  tail?: number;
  timestamps?: boolean;
  signal?: AbortSignal;
}

/** One chunk of a container's output. */
export interface LogChunk {
  stream: 'stdout' | 'stderr';
  data: Buffer;
  time: Date;
}

/** A running attach: write stdin, read output; `detach()` ends it without stopping the container. */
export interface AttachSession {
  readonly output: AsyncIterable<LogChunk>;
  readonly stdin: Writable | undefined;
  detach(): Promise<void>;
}

/** Options of `containers.attach`. */
export interface ContainerAttachOptions {
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  /** Replay the logs first (docker's `logs=true`). */
  logs?: boolean;
  signal?: AbortSignal;
}

/** Options of `containers.exec` (docker's exec create). */
export interface ExecCreateOptions {
  cmd: string[];
  env?: string[];
  user?: string;
  workingDir?: string;
  tty?: boolean;
  attachStdin?: boolean;
  attachStdout?: boolean;
  attachStderr?: boolean;
  privileged?: boolean;
}

/** `docker exec inspect`. */
export interface ExecInspect {
  id: string;
  containerId: string;
  running: boolean;
  /** `undefined` until it exits. */
  exitCode: number | undefined;
  pid: number;
  processConfig: { entrypoint: string; arguments: string[]; user: string; tty: boolean; privileged: boolean };
  openStdin: boolean;
  openStdout: boolean;
  openStderr: boolean;
}

/** Options of `containers.execStart`. */
export interface ExecStartOptions {
  /** Run without attaching (resolve once started). */
  detach?: boolean;
  stdin?: Readable;
  signal?: AbortSignal;
}

/** An attached exec: its output, and its end. */
export interface ExecSession {
  readonly output: AsyncIterable<LogChunk>;
  /** Resolves with the exit code. */
  readonly exit: Promise<number>;
}

/** `docker top`. */
export interface TopResult {
  titles: string[];
  processes: string[][];
}

/** One sample of `docker stats`. */
export interface ContainerStats {
  read: Date;
  id: string;
  name: string;
  cpu: { totalUsageNs: number; systemUsageNs: number; onlineCpus: number };
  memory: { usage: number; limit: number };
  pids: number;
  networks: Record<string, ContainerNetworkStats>;
}

/** Options of `containers.stats`. */
export interface ContainerStatsOptions {
  /** `false`: one sample and done (docker's `stream=false`). */
  stream?: boolean;
  signal?: AbortSignal;
}

/** Options of `containers.update`. */
export interface ContainerUpdateOptions {
  resources?: Resources;
  restartPolicy?: RestartPolicy;
}

/** Options of `containers.commit`. */
export interface ContainerCommitOptions {
  reference?: string;
  comment?: string;
  author?: string;
  /** Runtime defaults to change (image config names: `Cmd`, `Env`…). */
  changes?: NonNullable<ImageConfig['config']>;
  /** Pause the container while committing (default true, as docker). */
  pause?: boolean;
}

/** A path's facts inside a container (docker's `X-Docker-Container-Path-Stat`). */
export interface ContainerPathStat {
  name: string;
  size: number;
  mode: number;
  mtime: Date;
  linkTarget: string;
}

/** Options of `containers.prune`. */
export interface ContainerPruneOptions {
  /** `label`, `label!`, `until`. */
  filters?: Record<string, readonly string[]>;
}

/** What `containers.prune` removed. */
export interface ContainerPruneReport {
  containersDeleted: string[];
  spaceReclaimed: number;
}

/** A change of a container's file system (`docker diff`). */
export type ContainerChange = FileChange;
