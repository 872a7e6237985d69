import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '@berth/errdefs';
import type { CniAttachment, CniCommand, CniNetworkConfig, CniPlugins } from '../cni/cni-plugins.js';
import type { CniResult, CniVersionInfo } from '../cni/cni-result.js';

/** One recorded plugin invocation: what the real runner would put on stdin and in `CNI_*`. */
export interface CniInvocation {
  command: CniCommand;
  /** The plugin (`type`). */
  type: string;
  /** The stdin configuration, `prevResult` included (absent for VERSION). */
  config?: CniNetworkConfig & { prevResult?: CniResult };
  /** Absent for VERSION. */
  attachment?: CniAttachment;
}

/** An attachment ADD made and no DEL undid, as the fake models it. */
export interface FakeCniAttachment {
  /** CNI network name. */
  network: string;
  type: string;
  containerId: string;
  netns: string;
  ifName: string;
  result: CniResult;
}

interface StaticIpamConfig {
  addresses?: Array<{ address: string; gateway?: string }>;
  routes?: Array<{ dst: string; gw?: string }>;
}

/**
 * A {@link CniPlugins} that runs nothing: it records every invocation and keeps the set of live
 * attachments (keyed like CNI's: network name, container id, interface). ADD answers what the
 * `bridge` plugin with `static` IPAM would (the bridge, a host veth, the container interface with
 * the `runtimeConfig.mac`, the IPAM addresses and routes); DEL is idempotent. `failOn(command)`
 * makes the next such call fail, as a plugin's error report would.
 */
export class RecordingCniPlugins implements CniPlugins {
  /** Every invocation, in order. */
  readonly invocations: CniInvocation[] = [];
  readonly #attachments = new Map<string, FakeCniAttachment>();
  readonly #faults = new Map<CniCommand, Error>();

  constructor(private readonly supportedVersions: readonly string[] = ['0.3.1', '0.4.0', '1.0.0']) {}

  /** Makes the next call of `command` fail with `error`. */
  failOn(command: CniCommand, error: Error): void {
    this.#faults.set(command, error);
  }

  /** Invocations of one command. */
  invocationsOf(command: CniCommand): CniInvocation[] {
    return this.invocations.filter((invocation) => invocation.command === command);
  }

  /** Live attachments (ADD without a later DEL). */
  attachments(): FakeCniAttachment[] {
    return [...this.#attachments.values()].map((attachment) => structuredClone(attachment));
  }

  #fault(command: CniCommand): void {
    const fault = this.#faults.get(command);
    if (fault) {
      this.#faults.delete(command);
      throw fault;
    }
  }

  #record(invocation: CniInvocation): void {
    this.invocations.push(structuredClone(invocation));
  }

  async add(config: CniNetworkConfig, attachment: CniAttachment): Promise<CniResult> {
    this.#record({ command: 'ADD', type: config.type, config, attachment });
    this.#fault('ADD');
    const key = `${config.name}|${attachment.containerId}|${attachment.ifName}`;
    if (this.#attachments.has(key)) throw new InvalidArgumentError(`container veth name provided (${attachment.ifName}) already exists`);
    const result = this.#resultOf(config, attachment);
    this.#attachments.set(key, { network: config.name, type: config.type, containerId: attachment.containerId, netns: attachment.netns, ifName: attachment.ifName, result });
    return structuredClone(result);
  }

  async check(config: CniNetworkConfig, attachment: CniAttachment, prevResult: CniResult): Promise<void> {
    this.#record({ command: 'CHECK', type: config.type, config: { ...config, prevResult }, attachment });
    this.#fault('CHECK');
  }

  async del(config: CniNetworkConfig, attachment: CniAttachment, prevResult?: CniResult): Promise<void> {
    this.#record({ command: 'DEL', type: config.type, config: { ...config, ...(prevResult ? { prevResult } : {}) }, attachment });
    this.#fault('DEL');
    this.#attachments.delete(`${config.name}|${attachment.containerId}|${attachment.ifName}`);
  }

  async version(type: string): Promise<CniVersionInfo> {
    this.#record({ command: 'VERSION', type });
    this.#fault('VERSION');
    return { cniVersion: '1.0.0', supportedVersions: [...this.supportedVersions] };
  }

  #resultOf(config: CniNetworkConfig, attachment: CniAttachment): CniResult {
    const ipam = (config.ipam ?? {}) as StaticIpamConfig;
    const runtimeConfig = (config.runtimeConfig ?? {}) as { mac?: string };
    const suffix = createHash('sha256').update(`${attachment.netns}|${attachment.ifName}`).digest('hex').slice(0, 8);
    const bridge = typeof config.bridge === 'string' ? config.bridge : 'cni0';
    return {
      cniVersion: config.cniVersion,
      interfaces: [
        { name: bridge, mac: '02:00:00:00:00:01' },
        { name: `veth${suffix}`, mac: '02:00:00:00:00:02' },
        { name: attachment.ifName, mac: runtimeConfig.mac ?? '02:00:00:00:00:03', sandbox: attachment.netns },
      ],
      ips: (ipam.addresses ?? []).map((address) => ({ interface: 2, address: address.address, ...(address.gateway ? { gateway: address.gateway } : {}) })),
      routes: (ipam.routes ?? []).map((route) => ({ ...route })),
      dns: {},
    };
  }
}
