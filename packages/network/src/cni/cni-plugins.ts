import type { CniResult, CniVersionInfo } from './cni-result.js';

/** The CNI protocol version Berth writes into every network configuration it sends. */
export const CNI_VERSION = '1.0.0';

/** The operations of the CNI protocol a runtime asks a plugin for (`CNI_COMMAND`). */
export type CniCommand = 'ADD' | 'DEL' | 'CHECK' | 'VERSION';

/**
 * A network configuration as a plugin reads it on stdin: `cniVersion`, `name` and `type`
 * (the plugin binary's name) plus the plugin's own fields (`bridge`, `ipam`, `runtimeConfig`…).
 * The runner adds `prevResult` for CHECK and DEL; callers do not put it here.
 */
export interface CniNetworkConfig {
  cniVersion: string;
  name: string;
  type: string;
  [field: string]: unknown;
}

/** The attachment a command is about: the `CNI_*` environment of one invocation. */
export interface CniAttachment {
  /** `CNI_CONTAINERID`: `[A-Za-z0-9][A-Za-z0-9_.-]*`. */
  containerId: string;
  /** `CNI_NETNS`: path of the network namespace file; `''` for a DEL whose namespace is already gone. */
  netns: string;
  /** `CNI_IFNAME`: the interface inside the namespace (`eth0`). */
  ifName: string;
  /** `CNI_ARGS`, sent as `K=V;K=V` (e.g. `{ IgnoreUnknown: '1', MAC: '…' }`). */
  args?: Record<string, string>;
}

/** Options of one plugin invocation. */
export interface CniCallOptions {
  /** Kills the plugin (it is ours) and rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * The CNI plugins seam: runs one plugin per the CNI 1.0 specification — the network
 * configuration as JSON on stdin, `CNI_COMMAND`, `CNI_CONTAINERID`, `CNI_NETNS`, `CNI_IFNAME`,
 * `CNI_PATH`, `CNI_ARGS` in the environment, the result or an error report on stdout.
 * {@link createExecCniPlugins} execs the real binaries; `RecordingCniPlugins` in
 * `@berth/network/testing` records invocations for tests.
 *
 * A plugin's error report (`{code,msg,details}`) becomes the matching `@berth/errdefs` error
 * carrying the plugin's message; unparsable output is `Internal`; a missing plugin `Unavailable`.
 * The runner keeps no state: caching results for CHECK/DEL is the caller's business.
 */
export interface CniPlugins {
  /** ADD: attach; resolves with the plugin's parsed result. */
  add(config: CniNetworkConfig, attachment: CniAttachment, options?: CniCallOptions): Promise<CniResult>;
  /** CHECK: verify an attachment is as `prevResult` (the result of its ADD) says. */
  check(config: CniNetworkConfig, attachment: CniAttachment, prevResult: CniResult, options?: CniCallOptions): Promise<void>;
  /** DEL: detach; plugins make it idempotent (already gone, or namespace gone, is success). */
  del(config: CniNetworkConfig, attachment: CniAttachment, prevResult?: CniResult, options?: CniCallOptions): Promise<void>;
  /** VERSION of the plugin named `type`. */
  version(type: string, options?: CniCallOptions): Promise<CniVersionInfo>;
}
