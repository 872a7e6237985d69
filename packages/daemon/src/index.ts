/**
 * berthd: serves any `Engine` as the Docker Engine API (v1.24–v1.47) over a unix socket,
 * optionally TCP with TLS, so the docker CLI, dockerode and docker-py drive Berth unchanged.
 * `serveEngine` runs it in-process (tests, embedders); the `berthd` binary wraps it with
 * dockerd's command-line options.
 *
 * @packageDocumentation
 */

// --- server ---
export { serveEngine } from './serve-engine.js';
export type { ServeEngineOptions, DaemonServer } from './serve-engine.js';
export { parseListenAddress, listenerAddress, DEFAULT_SOCKET_PATH } from './listeners.js';
export type { ListenerSpec, TlsSettings } from './listeners.js';
export { defaultDaemonSettings } from './daemon-state.js';
export type { DaemonSettings, DaemonState } from './daemon-state.js';
export { createLogger, silentLogger, LOG_LEVELS } from './logger.js';
export type { Logger, LogLevel } from './logger.js';

// --- command line ---
export { parseDaemonArgs, loadDaemonConfig, DaemonConfigFileSchema } from './daemon-config.js';
export type { DaemonConfig, DaemonConfigFile } from './daemon-config.js';
export { runDaemon } from './run-daemon.js';
export type { RunDaemonOptions } from './run-daemon.js';
