import type { Logger } from './logger.js';

/** Settings of a running daemon that `docker info` shows and SIGHUP may change. */
export interface DaemonSettings {
  registryMirrors: string[];
  insecureRegistries: string[];
  defaultAddressPools: Array<{ base: string; size: number }>;
  debug: boolean;
}

/** What routes know about the daemon around the engine: its settings, logger and live counters. */
export interface DaemonState {
  settings: DaemonSettings;
  readonly logger: Logger;
  /** Clients currently following `/events`. */
  eventListeners: number;
}

/** Settings of a daemon started without any. */
export function defaultDaemonSettings(): DaemonSettings {
  return { registryMirrors: [], insecureRegistries: [], defaultAddressPools: [], debug: false };
}
