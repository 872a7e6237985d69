import { readFile } from 'node:fs/promises';
import { type Engine, createEngine, createMemoryEngine } from '@berth/engine';
import { InvalidArgumentError } from '@berth/errdefs';
import { type DaemonConfig, configFromFile, loadDaemonConfig, readConfigFile } from './daemon-config.js';
import { type ListenerSpec, parseListenAddress } from './listeners.js';
import { createLogger } from './logger.js';
import { type DaemonServer, serveEngine } from './serve-engine.js';

/** Options of {@link runDaemon}, for tests: the process's signals and engine are the defaults. */
export interface RunDaemonOptions {
  /** Makes the engine (default: `createMemoryEngine` with `--memory`, else `createEngine`). */
  openEngine?: (config: DaemonConfig) => Promise<Engine>;
  /** Handle SIGTERM/SIGINT (shutdown) and SIGHUP (reload). Default true. */
  handleSignals?: boolean;
}

/**
 * What `berthd` does: read the configuration, open the engine, serve it, and shut down
 * gracefully on SIGTERM/SIGINT (stop accepting, finish in-flight requests, close the engine —
 * containers keep running). SIGHUP re-reads the config file: log level, registry mirrors and
 * insecure registries as `docker info` shows them.
 */
export async function runDaemon(argv: readonly string[], options: RunDaemonOptions = {}): Promise<DaemonServer> {
  const config = await loadDaemonConfig(argv);
  const logger = createLogger(config.logLevel);
  const listeners = await listenersOf(config);
  const engine = await (options.openEngine ?? openEngine)(config);
  logger.info(`Berth engine opened (${config.memory ? 'in-memory' : `data root ${config.dataRoot}`})`);
  let server: DaemonServer;
  try {
    server = await serveEngine(engine, {
      listeners,
      logger,
      closeEngine: true,
      settings: {
        registryMirrors: config.registryMirrors,
        insecureRegistries: config.insecureRegistries,
        defaultAddressPools: config.defaultAddressPools,
        debug: config.debug,
      },
    });
  } catch (err) {
    await engine.close();
    throw err;
  }
  if (options.handleSignals ?? true) {
    const stop = (signal: string) => {
      logger.info(`Processing signal '${signal}'`);
      void server.close().then(() => process.exit(0));
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => {
      if (!config.configFile) return logger.info('SIGHUP: no --config-file to reload');
      void readConfigFile(config.configFile).then(
        (file) => {
          const fresh = configFromFile(file);
          // Said before a new level may silence it.
          logger.info(`Reloaded configuration from ${config.configFile}`);
          if (fresh.logLevel) logger.level = fresh.logLevel;
          server.state.settings = {
            ...server.state.settings,
            ...(fresh.registryMirrors ? { registryMirrors: fresh.registryMirrors } : {}),
            ...(fresh.insecureRegistries ? { insecureRegistries: fresh.insecureRegistries } : {}),
            ...(fresh.debug !== undefined ? { debug: fresh.debug } : {}),
          };
        },
        (err: unknown) => logger.error(`Error reloading the configuration: ${(err as Error).message}`),
      );
    });
  }
  return server;
}

async function openEngine(config: DaemonConfig): Promise<Engine> {
  if (config.memory) return createMemoryEngine({ name: 'berthd-memory' });
  return createEngine({
    dataRoot: config.dataRoot,
    stateRoot: config.execRoot,
    ...(config.bridge || config.bip ? { defaultBridge: { ...(config.bridge ? { bridgeName: config.bridge } : {}), ...(config.bip ? { subnet: subnetOfBip(config.bip) } : {}) } } : {}),
    registry: { mirrors: config.registryMirrors, insecureRegistries: config.insecureRegistries },
  });
}

async function listenersOf(config: DaemonConfig): Promise<ListenerSpec[]> {
  const tls =
    config.tlsVerify || config.tlsCert
      ? {
          cert: await readFile(required(config.tlsCert, '--tlscert')),
          key: await readFile(required(config.tlsKey, '--tlskey')),
          ...(config.tlsCaCert ? { ca: await readFile(config.tlsCaCert) } : {}),
          verifyClients: config.tlsVerify,
        }
      : undefined;
  if (tls?.verifyClients && !tls.ca) throw new InvalidArgumentError('--tlsverify needs --tlscacert to verify client certificates');
  return config.hosts.map((host) => {
    const spec = parseListenAddress(host);
    if (spec.type === 'tcp') return { ...spec, ...(tls ? { tls } : {}), allowInsecure: config.insecureTcp };
    return spec;
  });
}

function required(value: string | undefined, flag: string): string {
  if (!value) throw new InvalidArgumentError(`${flag} is required for TLS`);
  return value;
}

/**
 * dockerd's `--bip` is the bridge's address with its prefix (`172.30.0.1/16`); the engine takes
 * the subnet (`172.30.0.0/16`). The address itself becomes the gateway the engine picks (the first).
 */
export function subnetOfBip(bip: string): string {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(bip);
  if (!match) throw new InvalidArgumentError(`invalid --bip ${bip}: want an IPv4 address with a prefix length, like 172.30.0.1/16`);
  const prefix = Number(match[5]);
  const octets = match.slice(1, 5).map(Number);
  if (prefix > 32 || octets.some((o) => o > 255)) throw new InvalidArgumentError(`invalid --bip ${bip}`);
  const address = octets.reduce((value, octet) => value * 256 + octet, 0);
  const size = 2 ** (32 - prefix);
  const network = address - (address % size);
  return `${[24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join('.')}/${prefix}`;
}
