import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from '@berth/errdefs';
import { z } from 'zod';
import { DEFAULT_SOCKET_PATH } from './listeners.js';
import { LOG_LEVELS, type LogLevel } from './logger.js';

/** The daemon's configuration: command line over config file over defaults. */
export interface DaemonConfig {
  /** `-H`/`--host` addresses (`unix:///run/berth/berthd.sock` by default). */
  hosts: string[];
  dataRoot: string;
  execRoot: string;
  registryMirrors: string[];
  insecureRegistries: string[];
  defaultAddressPools: Array<{ base: string; size: number }>;
  /** Linux name of the default bridge (`--bridge`). */
  bridge?: string;
  /** Address and prefix of the default bridge (`--bip 172.30.0.1/16`). */
  bip?: string;
  logLevel: LogLevel;
  debug: boolean;
  tlsVerify: boolean;
  tlsCaCert?: string;
  tlsCert?: string;
  tlsKey?: string;
  /** Serve TCP without TLS (`--insecure-tcp`): refused unless asked for by name. */
  insecureTcp: boolean;
  /** Serve the in-memory engine (`--memory`). */
  memory: boolean;
  /** `--config-file`: re-read on SIGHUP. */
  configFile?: string;
}

/** daemon.json, the keys berthd understands (dockerd's names); unknown keys are refused, as dockerd does. */
export const DaemonConfigFileSchema = z.strictObject({
  hosts: z.array(z.string()).optional(),
  'data-root': z.string().optional(),
  'exec-root': z.string().optional(),
  'registry-mirrors': z.array(z.string()).optional(),
  'insecure-registries': z.array(z.string()).optional(),
  'default-address-pools': z.array(z.object({ base: z.string(), size: z.number().int().min(1).max(32) })).optional(),
  bridge: z.string().optional(),
  bip: z.string().optional(),
  'log-level': z.enum(LOG_LEVELS).optional(),
  debug: z.boolean().optional(),
  tlsverify: z.boolean().optional(),
  tlscacert: z.string().optional(),
  tlscert: z.string().optional(),
  tlskey: z.string().optional(),
  memory: z.boolean().optional(),
});
/** A parsed daemon.json. */
export type DaemonConfigFile = z.infer<typeof DaemonConfigFileSchema>;

const defaults = (): DaemonConfig => ({
  hosts: [],
  dataRoot: '/var/lib/berth',
  execRoot: '/run/berth',
  registryMirrors: [],
  insecureRegistries: [],
  defaultAddressPools: [],
  logLevel: 'info',
  debug: false,
  tlsVerify: false,
  insecureTcp: false,
  memory: false,
});

const valueFlags: Record<string, keyof DaemonConfig> = {
  '-H': 'hosts',
  '--host': 'hosts',
  '--data-root': 'dataRoot',
  '--exec-root': 'execRoot',
  '--registry-mirror': 'registryMirrors',
  '--insecure-registry': 'insecureRegistries',
  '--default-address-pool': 'defaultAddressPools',
  '-b': 'bridge',
  '--bridge': 'bridge',
  '--bip': 'bip',
  '-l': 'logLevel',
  '--log-level': 'logLevel',
  '--tlscacert': 'tlsCaCert',
  '--tlscert': 'tlsCert',
  '--tlskey': 'tlsKey',
  '--config-file': 'configFile',
};
const booleanFlags: Record<string, keyof DaemonConfig> = {
  '-D': 'debug',
  '--debug': 'debug',
  '--tlsverify': 'tlsVerify',
  '--memory': 'memory',
  '--insecure-tcp': 'insecureTcp',
};

/**
 * Parses berthd's command line (dockerd's flags: `--flag value` or `--flag=value`; list flags
 * repeat). Returns only what was given, so a config file can fill the rest. Unknown flags
 * are `InvalidArgument`.
 */
export function parseDaemonArgs(argv: readonly string[]): Partial<DaemonConfig> {
  const given: Record<string, unknown> & Partial<DaemonConfig> = {};
  const set = (key: keyof DaemonConfig, value: unknown) => {
    (given as Record<string, unknown>)[key] = value;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    const booleanKey = booleanFlags[flag];
    if (booleanKey) {
      set(booleanKey, inline === undefined ? true : inline !== 'false');
      continue;
    }
    const key = valueFlags[flag];
    if (!key) throw new InvalidArgumentError(`unknown flag: ${flag}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new InvalidArgumentError(`flag needs an argument: ${flag}`);
    switch (key) {
      case 'hosts':
      case 'registryMirrors':
      case 'insecureRegistries':
        set(key, [...((given[key] as string[] | undefined) ?? []), value]);
        break;
      case 'defaultAddressPools':
        given.defaultAddressPools = [...(given.defaultAddressPools ?? []), parseAddressPool(value)];
        break;
      case 'logLevel':
        if (!(LOG_LEVELS as readonly string[]).includes(value)) throw new InvalidArgumentError(`invalid log level: ${value}`);
        given.logLevel = value as LogLevel;
        break;
      default:
        set(key, value);
    }
  }
  return given;
}

/** `base=10.10.0.0/16,size=24` (dockerd's `--default-address-pool`). */
function parseAddressPool(spec: string): { base: string; size: number } {
  const fields = Object.fromEntries(spec.split(',').map((kv) => kv.split('=') as [string, string]));
  const size = Number.parseInt(fields['size'] ?? '', 10);
  if (!fields['base'] || !Number.isInteger(size)) throw new InvalidArgumentError(`invalid default address pool: ${spec}`);
  return { base: fields['base'], size };
}

/**
 * The configuration of a berthd run: defaults, then the config file (`--config-file`), then
 * the command line. A flag given both ways is refused, as dockerd does ("the following
 * directives are specified both as a flag and in the configuration file").
 */
export async function loadDaemonConfig(argv: readonly string[]): Promise<DaemonConfig> {
  const flags = parseDaemonArgs(argv);
  const file = flags.configFile ? await readConfigFile(flags.configFile) : {};
  const fromFile: Partial<DaemonConfig> = configFromFile(file);
  const both = Object.keys(fromFile).filter((key) => key in flags);
  if (both.length > 0) {
    throw new InvalidArgumentError(`the following directives are specified both as a flag and in the configuration file: ${both.join(', ')}`);
  }
  const config: DaemonConfig = { ...defaults(), ...fromFile, ...flags };
  if (config.debug) config.logLevel = 'debug';
  if (config.hosts.length === 0) config.hosts = [`unix://${DEFAULT_SOCKET_PATH}`];
  return config;
}

/** Reads and validates a daemon.json. */
export async function readConfigFile(path: string): Promise<DaemonConfigFile> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new InvalidArgumentError(`unable to configure the daemon with file ${path}: ${(cause as Error).message}`, { cause });
  }
  const result = DaemonConfigFileSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new InvalidArgumentError(`unable to configure the daemon with file ${path}: ${issue.path.join('.') || 'config'}: ${issue.message}`);
  }
  return result.data;
}

/** The config file's keys in {@link DaemonConfig} names (only the keys present). */
export function configFromFile(file: DaemonConfigFile): Partial<DaemonConfig> {
  const c: Partial<DaemonConfig> = {};
  if (file.hosts) c.hosts = file.hosts;
  if (file['data-root']) c.dataRoot = file['data-root'];
  if (file['exec-root']) c.execRoot = file['exec-root'];
  if (file['registry-mirrors']) c.registryMirrors = file['registry-mirrors'];
  if (file['insecure-registries']) c.insecureRegistries = file['insecure-registries'];
  if (file['default-address-pools']) c.defaultAddressPools = file['default-address-pools'];
  if (file.bridge) c.bridge = file.bridge;
  if (file.bip) c.bip = file.bip;
  if (file['log-level']) c.logLevel = file['log-level'];
  if (file.debug !== undefined) c.debug = file.debug;
  if (file.tlsverify !== undefined) c.tlsVerify = file.tlsverify;
  if (file.tlscacert) c.tlsCaCert = file.tlscacert;
  if (file.tlscert) c.tlsCert = file.tlscert;
  if (file.tlskey) c.tlsKey = file.tlskey;
  if (file.memory !== undefined) c.memory = file.memory;
  return c;
}
