import { InvalidArgumentError } from '@berth/errdefs';
import type { ContainerConfig as ImageRuntimeConfig } from '@berth/spec';
import type { ContainerConfig, Healthcheck } from './container-config.js';

/**
 * A container config completed with its image's defaults, as docker's `merge` does at
 * create time: what `inspect` shows as the container's `Config`.
 */
export interface MergedContainerConfig extends ContainerConfig {
  /** Entrypoint after merging (empty when there is none). */
  entrypoint: string[];
  /** Command after merging (empty when there is none). */
  cmd: string[];
  env: string[];
  user: string;
  workingDir: string;
  labels: Record<string, string>;
  /** Volume targets the image declares (`VOLUME`): anonymous volumes for the engine to create. */
  imageVolumes: string[];
}

function envKey(entry: string): string {
  const eq = entry.indexOf('=');
  return eq < 0 ? entry : entry.slice(0, eq);
}

/**
 * `base` with each entry of `overrides` replacing the entry of the same key, or
 * appended (docker's ReplaceOrAppendEnvValues). An override without `=` removes the key
 * from the base only when it is not set itself — docker keeps such entries as given.
 */
export function replaceOrAppendEnv(base: readonly string[], overrides: readonly string[]): string[] {
  const result = [...base];
  for (const entry of overrides) {
    const key = envKey(entry);
    const index = result.findIndex((e) => envKey(e) === key);
    if (index >= 0) result[index] = entry;
    else result.push(entry);
  }
  return result;
}

function mergeHealthcheck(user: Healthcheck | undefined, image: ImageRuntimeConfig['Healthcheck']): Healthcheck | undefined {
  if (!image) return user;
  const fromImage: Healthcheck = {
    test: image.Test ?? undefined,
    intervalNs: image.Interval,
    timeoutNs: image.Timeout,
    startPeriodNs: image.StartPeriod,
    startIntervalNs: image.StartInterval,
    retries: image.Retries,
  };
  if (!user) return stripUndefined(fromImage);
  return stripUndefined({
    test: user.test && user.test.length > 0 ? user.test : fromImage.test,
    intervalNs: user.intervalNs || fromImage.intervalNs,
    timeoutNs: user.timeoutNs || fromImage.timeoutNs,
    startPeriodNs: user.startPeriodNs || fromImage.startPeriodNs,
    startIntervalNs: user.startIntervalNs || fromImage.startIntervalNs,
    retries: user.retries || fromImage.retries,
  });
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Completes `config` with the image's runtime defaults exactly as docker does:
 * - env: the image's entries not overridden by key are appended to the user's;
 * - labels: the image's, overridden by the user's;
 * - entrypoint/cmd: with no user entrypoint (absent or `[]`), an empty user cmd takes the
 *   image's cmd, and an absent entrypoint takes the image's; a user entrypoint (`['']`
 *   included, which clears it) means the image's cmd is not used;
 * - user, working dir, stop signal: the image's when not given; healthcheck: field by field.
 */
export function mergeImageConfig(config: ContainerConfig, image: ImageRuntimeConfig | undefined = {}): MergedContainerConfig {
  const userEnv = config.env ?? [];
  const imageEnv = image.Env ?? [];
  const env = [...userEnv, ...imageEnv.filter((e) => !userEnv.some((u) => envKey(u) === envKey(e)))];

  let entrypoint = config.entrypoint ?? undefined;
  let cmd = config.cmd ?? [];
  if (!entrypoint || entrypoint.length === 0) {
    if (cmd.length === 0) cmd = image.Cmd ?? [];
    if (config.entrypoint === undefined || config.entrypoint === null) entrypoint = image.Entrypoint ?? [];
  }
  // `--entrypoint ""` arrives as `['']`: it clears the entrypoint.
  if (entrypoint && entrypoint.length === 1 && entrypoint[0] === '') entrypoint = [];

  const merged: MergedContainerConfig = {
    ...config,
    entrypoint: entrypoint ?? [],
    cmd,
    env,
    user: config.user || image.User || '',
    workingDir: config.workingDir || image.WorkingDir || '',
    labels: { ...(image.Labels ?? {}), ...(config.labels ?? {}) },
    imageVolumes: Object.keys(image.Volumes ?? {}).sort(),
  };
  const stopSignal = config.stopSignal || image.StopSignal;
  if (stopSignal) merged.stopSignal = stopSignal;
  const healthcheck = mergeHealthcheck(config.healthcheck, image.Healthcheck);
  if (healthcheck) merged.healthcheck = healthcheck;
  return merged;
}

/**
 * The argv of the container's process: entrypoint then cmd. `InvalidArgument` ("No
 * command specified", docker's words) when both are empty.
 */
export function processArgs(config: Pick<MergedContainerConfig, 'entrypoint' | 'cmd'>): string[] {
  const args = [...config.entrypoint, ...config.cmd];
  if (args.length === 0) throw new InvalidArgumentError('No command specified');
  return args;
}

/** The PATH docker gives a Linux container whose image sets none. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The environment of the container's process, as docker builds it: `PATH` (default),
 * `HOSTNAME`, `TERM=xterm` with a tty, then the merged env replacing or adding by key;
 * `HOME` from the resolved user when still unset (runc does the same).
 */
export function processEnv(env: readonly string[], options: { hostname?: string; tty?: boolean; home?: string }): string[] {
  const base = [`PATH=${DEFAULT_PATH}`];
  if (options.hostname) base.push(`HOSTNAME=${options.hostname}`);
  if (options.tty) base.push('TERM=xterm');
  // As dockerd: an entry without `=` (`-e FOO` with FOO unset on the client) unsets the variable
  // — it would make runc refuse the process ("invalid environment variable").
  const result = replaceOrAppendEnv(base, env).filter((entry) => entry.includes('='));
  if (options.home !== undefined && !result.some((e) => envKey(e) === 'HOME')) result.push(`HOME=${options.home}`);
  return result;
}
