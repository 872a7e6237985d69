import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { InternalError, InvalidArgumentError, UnavailableError } from '@berth/errdefs';
import { runProgram } from '@berth/program';
import type { z } from 'zod';
import { cniReportToError } from './cni-error.js';
import { CNI_VERSION, type CniAttachment, type CniCallOptions, type CniCommand, type CniPlugins } from './cni-plugins.js';
import { CniErrorReportSchema, CniResultSchema, CniVersionInfoSchema } from './cni-result.js';

/** Where Debian's `containernetworking-plugins` and upstream's tarball put the plugins. */
export const DEFAULT_CNI_PATH: readonly string[] = ['/usr/lib/cni', '/opt/cni/bin'];

/** Options of {@link createExecCniPlugins}. */
export interface ExecCniPluginsOptions {
  /** Directories searched for plugin binaries, in order; also the plugins' `CNI_PATH` (IPAM plugins are found there). */
  path?: readonly string[];
}

/** A plugin's stdout is a small JSON document; more than this is not a CNI plugin talking. */
const stdoutLimit = 1024 * 1024;
const TYPE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function formatArgs(args: Record<string, string> | undefined): string {
  return Object.entries(args ?? {})
    .map(([key, value]) => `${key}=${value}`)
    .join(';');
}

/** The environment of a plugin: ours without stale `CNI_*` variables, plus the invocation's. */
function pluginEnv(command: CniCommand, attachment: CniAttachment | undefined, path: readonly string[]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('CNI_')));
  env.CNI_COMMAND = command;
  env.CNI_PATH = path.join(':');
  if (attachment) {
    env.CNI_CONTAINERID = attachment.containerId;
    env.CNI_NETNS = attachment.netns;
    env.CNI_IFNAME = attachment.ifName;
    env.CNI_ARGS = formatArgs(attachment.args);
  }
  return env;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function excerpt(text: string): string {
  const trimmed = text.trim();
  return trimmed.length > 300 ? `${trimmed.slice(0, 300)}…` : trimmed;
}

/**
 * The real {@link CniPlugins}: execs the plugin binary named by the configuration's `type`,
 * found in the first directory of `path` holding an executable of that name (default
 * {@link DEFAULT_CNI_PATH}). The plugin runs to completion per call; an abort kills it.
 */
export function createExecCniPlugins(options: ExecCniPluginsOptions = {}): CniPlugins {
  const path = options.path ?? DEFAULT_CNI_PATH;

  async function find(type: string): Promise<string> {
    if (!TYPE_PATTERN.test(type)) throw new InvalidArgumentError(`invalid CNI plugin type ${JSON.stringify(type)}`);
    for (const directory of path) {
      const candidate = join(directory, type);
      if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
    }
    throw new UnavailableError(`CNI plugin ${type} not found in ${path.join(':')} (install the Debian package "containernetworking-plugins")`);
  }

  /** Runs the plugin; resolves with its stdout on success, rejects with its error otherwise. */
  async function invoke(
    command: CniCommand,
    type: string,
    stdin: Record<string, unknown>,
    attachment: CniAttachment | undefined,
    callOptions: CniCallOptions | undefined,
  ): Promise<{ what: string; stdout: string }> {
    const binary = await find(type);
    const what = `CNI plugin ${type} ${command}${attachment ? ` (${attachment.ifName} of container ${attachment.containerId})` : ''}`;
    const result = await runProgram(binary, [], {
      input: JSON.stringify(stdin),
      env: pluginEnv(command, attachment, path),
      ...(callOptions?.signal ? { signal: callOptions.signal } : {}),
    });
    if (result.stdout.length > stdoutLimit) throw new InternalError(`${what} printed more than ${stdoutLimit} bytes`);
    const stdout = result.stdout.toString('utf8');
    if (result.code !== 0) {
      const report = CniErrorReportSchema.safeParse(parseJson(stdout));
      if (report.success) throw cniReportToError(`${what} failed`, report.data);
      const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.code}`;
      const said = excerpt(result.stderr) || excerpt(stdout);
      throw new InternalError(`${what} ${how}${said ? `: ${said}` : ''}`);
    }
    return { what, stdout };
  }

  function parseOutput<T>(output: { what: string; stdout: string }, schema: z.ZodType<T>): T {
    const parsed = schema.safeParse(parseJson(output.stdout));
    if (!parsed.success) throw new InternalError(`${output.what} printed an invalid result: ${excerpt(output.stdout) || '(nothing)'}`);
    return parsed.data;
  }

  return {
    add: async (config, attachment, callOptions) =>
      parseOutput(await invoke('ADD', config.type, { ...config }, attachment, callOptions), CniResultSchema),
    check: async (config, attachment, prevResult, callOptions) => {
      await invoke('CHECK', config.type, { ...config, prevResult }, attachment, callOptions);
    },
    del: async (config, attachment, prevResult, callOptions) => {
      await invoke('DEL', config.type, { ...config, ...(prevResult ? { prevResult } : {}) }, attachment, callOptions);
    },
    version: async (type, callOptions) =>
      parseOutput(await invoke('VERSION', type, { cniVersion: CNI_VERSION }, undefined, callOptions), CniVersionInfoSchema),
  };
}
