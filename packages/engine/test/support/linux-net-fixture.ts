import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeDockerArchive } from '@berth/image';
import { busyboxImage } from '@berth/image/testing';
import { reserveTestSubnet } from '@berth/testkit/host';
import {
  type HostNet,
  type NetworkDriver,
  createBridgeDriver,
  createHostDriver,
  createLinuxHostNet,
  createNoneDriver,
} from '@berth/network';
import { type Engine, createEngine } from '@berth/engine';

const execFileAsync = promisify(execFile);

/** Runs a host command; resolves with stdout, rejects with stderr in the message. */
export async function run(file: string, args: string[], options: { timeoutMs?: number } = {}): Promise<string> {
  const { stdout } = await execFileAsync(file, args, { timeout: options.timeoutMs ?? 10_000 });
  return stdout;
}

/** Runs a host command inside the network namespace at `netns`. */
export function inNetns(netns: string, args: string[], options: { timeoutMs?: number } = {}): Promise<string> {
  return run('nsenter', [`--net=${netns}`, ...args], options);
}

/** Polls `check` until it returns true (servers starting in the background); bounded attempts, no timing assertions. */
export async function eventually(check: () => Promise<boolean>, attempts = 50): Promise<boolean> {
  for (let i = 0; i < attempts; i += 1) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/** What an exec in a container printed (stdout and stderr) and its exit code. */
export interface ExecResult {
  exitCode: number;
  output: string;
}

/** Runs `cmd` in a running container and collects its output. */
export async function execIn(engine: Engine, container: string, cmd: string[]): Promise<ExecResult> {
  const exec = await engine.containers.exec(container, { cmd, attachStdout: true, attachStderr: true });
  const session = await engine.containers.execStart(exec.id);
  let output = '';
  for await (const chunk of session.output) output += chunk.data.toString('utf8');
  return { exitCode: await session.exit, output };
}

/**
 * `wget -O -` from a container; undefined when it fails. busybox 1.35's static wget
 * segfaults with `-T`, so `timeout` bounds the wait instead.
 */
export async function fetchIn(engine: Engine, container: string, url: string): Promise<string | undefined> {
  const result = await execIn(engine, container, ['timeout', '3', 'wget', '-q', '-O', '-', url]);
  return result.exitCode === 0 ? result.output : undefined;
}

/** Whether one ping from the container gets an answer within a second. */
export async function pingsFrom(engine: Engine, container: string, address: string): Promise<boolean> {
  return (await execIn(engine, container, ['ping', '-c', '1', '-W', '1', address])).exitCode === 0;
}

/**
 * Asserts that `container` pings `address` (an IP or a name) within a few tries. A
 * just-attached endpoint may take a moment (neighbour resolution, the DNS record of a name)
 * on a loaded machine, so positive checks retry; negative checks use {@link pingsFrom} once.
 * Each try is bounded by `timeout` (a name lookup is not bounded by ping's `-W`). On failure
 * the error carries what ping printed and the container's view of its network (addresses,
 * routes, neighbours, resolv.conf and a lookup of the name), so a CI log says why.
 */
export async function expectPingReaches(engine: Engine, container: string, address: string, attempts = 5): Promise<void> {
  let last: ExecResult | undefined;
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    last = await execIn(engine, container, ['timeout', '5', 'ping', '-c', '1', '-W', '2', address]);
    if (last.exitCode === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const view: string[] = [];
  const probes = [
    ['ip', '-4', 'addr', 'show'],
    ['ip', '-4', 'route', 'show'],
    ['ip', 'neigh', 'show'],
    ['cat', '/etc/resolv.conf'],
    ...(/^[\d.]+$/.test(address) ? [] : [['timeout', '5', 'nslookup', address]]),
  ];
  for (const probe of probes) {
    const seen = await execIn(engine, container, probe).catch((err: unknown) => ({ exitCode: -1, output: String(err) }));
    view.push(`$ ${probe.join(' ')} (exit ${seen.exitCode})\n${seen.output.trimEnd()}`);
  }
  throw new Error(
    `ping ${address} from ${container.slice(0, 12)} failed ${attempts} times (last exit ${last?.exitCode}): ${last?.output.trimEnd() ?? ''}\n${view.join('\n')}`,
  );
}

/**
 * The addresses `name` resolves to from inside `container` (busybox nslookup through its
 * resolv.conf), retried a few times for a record just added; the error carries the last
 * output when no lookup succeeds.
 */
export async function lookupFrom(engine: Engine, container: string, name: string, attempts = 3): Promise<string[]> {
  let last: ExecResult | undefined;
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    last = await execIn(engine, container, ['timeout', '5', 'nslookup', name]);
    // busybox prints the server first ("Server: 127.0.0.11", "Address: 127.0.0.11:53"), then the answers.
    const answers = last.output.split(/\n\s*\n/).slice(1).join('\n');
    const addresses = [...answers.matchAll(/^Address:\s*([\d.]+)$/gm)].map((match) => match[1]!);
    if (last.exitCode === 0 && addresses.length > 0) return addresses;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`nslookup ${name} in ${container.slice(0, 12)} found no address (last exit ${last?.exitCode}):\n${last?.output ?? ''}`);
}

/** The container's IPv4 address on `network`, without the prefix length. */
export async function addressOn(engine: Engine, container: string, network: string): Promise<string> {
  const endpoint = (await engine.containers.inspect(container)).networkSettings.networks[network];
  const address = endpoint?.ipv4Address?.replace(/\/\d+$/, '');
  if (!address) throw new Error(`container ${container} has no address on ${network}`);
  return address;
}

/**
 * Host sides of a running container's veth pairs: the CNI bridge plugin names them, so they are
 * found from the container's side (each interface's peer index, in the host namespace).
 */
export async function hostVethsOf(engine: Engine, container: string): Promise<string[]> {
  const sandbox = (await engine.containers.inspect(container)).networkSettings.sandboxKey;
  // Network mode `host` (and `container:`) has no namespace file of its own: no veth either.
  if (!sandbox || !existsSync(sandbox)) return [];
  const inside = JSON.parse(await run('nsenter', [`--net=${sandbox}`, 'ip', '-j', 'link', 'show'])) as Array<{ ifname: string; link_index?: number }>;
  const peers = new Set(inside.flatMap((link) => (link.ifname !== 'lo' && link.link_index !== undefined ? [link.link_index] : [])));
  const host = JSON.parse(await run('ip', ['-j', 'link', 'show'])) as Array<{ ifindex: number; ifname: string }>;
  return host.filter((link) => peers.has(link.ifindex)).map((link) => link.ifname);
}

/** Links of the host namespace whose names contain `fragment`. */
export async function hostLinksContaining(fragment: string): Promise<string[]> {
  const links = JSON.parse(await run('ip', ['-j', 'link', 'show'])) as Array<{ ifname: string }>;
  return links.map((link) => link.ifname).filter((name) => name.includes(fragment));
}

/** Lines of `iptables-save` mentioning `fragment` (chains, jumps, rules). */
export async function iptablesLinesContaining(fragment: string): Promise<string[]> {
  return (await run('iptables-save', [])).split('\n').filter((line) => line.includes(fragment));
}

/** Mount points of the host mount namespace below `prefix`. */
export async function mountsUnder(prefix: string): Promise<string[]> {
  const mountinfo = await run('cat', ['/proc/self/mountinfo']);
  return mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point === prefix || point.startsWith(`${prefix}/`));
}

/** A real Linux engine with bridge networking on private names, and what its cleanup checks need. */
export interface BridgeEngineFixture {
  engine: Engine;
  hostNet: HostNet;
  /** Short random hex, in every host-visible name of the fixture. */
  tag: string;
  /** iptables chain prefix of the bridge driver (`BT<TAG>`). */
  chainPrefix: string;
  /** `10.<x>`: a /16 free on the host, for the test's subnets and its "other host". */
  subnetBase: string;
  dataRoot: string;
  stateRoot: string;
  /** A /24 of the free /16 per index (1 is the default bridge's). */
  subnet(index: number): string;
  /** Host veth names of every endpoint seen by {@link BridgeEngineFixture.track}. */
  veths: Set<string>;
  /** Records the host veths of a container's current endpoints, for the leak check. */
  track(container: string): Promise<void>;
  /** Removes every container and network, the default bridge's link and chains, the roots (once; later calls do nothing). */
  dispose(): Promise<void>;
}

/** Where a bridge engine lives and the private names it uses; the same settings reopen it. */
export interface BridgeEngineSettings {
  /** Short random hex, in every host-visible name. */
  tag: string;
  /** `10.<x>`, a /16 free on the host. */
  subnetBase: string;
  /** Parent directory of the data root (removed by `dispose` of {@link openBridgeEngine}). */
  workDir: string;
  /** Short, under /run: conmon's socket paths must fit in 108 bytes. */
  stateRoot: string;
}

/** Settings a test made fresh, with what gives their resources back. */
export interface OwnedBridgeEngineSettings extends BridgeEngineSettings {
  /** Removes the work directory and gives back the reserved subnet. */
  release(): Promise<void>;
}

/** Fresh settings: a random tag, a reserved free /16 (`reserveTestSubnet`), a new temp directory, `/run/bt-<tag>`. */
export async function newBridgeEngineSettings(): Promise<OwnedBridgeEngineSettings> {
  const tag = randomBytes(3).toString('hex');
  // Not testkit's makeTempDir: this module also runs in the child engine process, outside vitest.
  const workDir = await mkdtemp(join(tmpdir(), 'berth-engine-net-'));
  const subnet = await reserveTestSubnet();
  return {
    tag,
    subnetBase: subnet.base,
    workDir,
    stateRoot: `/run/bt-${tag}`,
    release: async () => {
      await rm(workDir, { recursive: true, force: true });
      await subnet.release();
    },
  };
}

/**
 * `createEngine` as root with runc, overlayfs and the bridge driver under the settings'
 * private names: bridge `bt<tag>`, chain prefix `BT<TAG>`, default bridge subnet
 * `<subnetBase>.1.0/24`, data root `<workDir>/data`. With `loadBusybox`, busybox is loaded as
 * `busybox:latest`; `dnsUpstreams` replaces the host's resolvers behind the embedded DNS.
 */
export async function createBridgeEngine(
  settings: BridgeEngineSettings,
  options: { loadBusybox?: boolean; dnsUpstreams?: readonly string[] } = {},
): Promise<{ engine: Engine; hostNet: HostNet; bridge: NetworkDriver }> {
  const hostNet = createLinuxHostNet();
  // The CNI attachment cache where createEngine's own bridge driver keeps it, so a reopened engine detaches what the last one attached.
  const bridge = createBridgeDriver({
    hostNet,
    chainPrefix: `BT${settings.tag.toUpperCase()}`,
    attachmentCacheDir: join(settings.workDir, 'data', 'network', 'cni'),
  });
  const engine = await createEngine({
    dataRoot: join(settings.workDir, 'data'),
    stateRoot: settings.stateRoot,
    hostNet,
    networkDrivers: [bridge, createHostDriver(), createNoneDriver()],
    defaultBridge: { bridgeName: `bt${settings.tag}`, subnet: `${settings.subnetBase}.1.0/24` },
    ...(options.dnsUpstreams ? { dnsUpstreams: options.dnsUpstreams } : {}),
  });
  if (options.loadBusybox) {
    const archive = join(settings.workDir, `busybox-${randomBytes(3).toString('hex')}.tar`);
    await writeDockerArchive(archive, [{ image: busyboxImage(), tags: ['busybox:latest'] }]);
    await engine.images.load(archive);
    await rm(archive, { force: true });
  }
  return { engine, hostNet, bridge };
}

/**
 * Opens a bridge engine ({@link createBridgeEngine}) on fresh settings, or on `settings`
 * (an engine that ran before: a crashed one's data root), with busybox loaded.
 */
export async function openBridgeEngine(
  given?: OwnedBridgeEngineSettings,
  options: { dnsUpstreams?: readonly string[] } = {},
): Promise<BridgeEngineFixture> {
  const settings = given ?? (await newBridgeEngineSettings());
  const { tag, subnetBase, stateRoot } = settings;
  const chainPrefix = `BT${tag.toUpperCase()}`;
  const subnet = (index: number) => `${subnetBase}.${index}.0/24`;
  const dataRoot = join(settings.workDir, 'data');
  let opened: Awaited<ReturnType<typeof createBridgeEngine>> | undefined;
  let disposed = false;
  const dispose = async () => {
    if (disposed) return;
    disposed = true;
    if (opened) {
      const { engine, bridge } = opened;
      for (const container of await engine.containers.list({ all: true })) {
        await engine.containers.remove(container.id, { force: true, volumes: true }).catch(() => undefined);
      }
      for (const network of await engine.networks.list({ filters: { type: ['custom'] } })) {
        await engine.networks.remove(network.id).catch(() => undefined);
      }
      // The predefined network cannot be removed through the engine; its bridge and chains are the test's.
      const defaultBridge = await engine.networks.inspect('bridge').catch(() => undefined);
      if (defaultBridge) await bridge.removeNetwork(defaultBridge.id).catch(() => undefined);
      await engine.close();
    }
    await rm(stateRoot, { recursive: true, force: true });
    await settings.release();
  };
  try {
    opened = await createBridgeEngine(settings, { loadBusybox: true, ...options });
  } catch (error) {
    await dispose();
    throw error;
  }
  const { engine, hostNet } = opened;
  const veths = new Set<string>();
  const track = async (container: string) => {
    for (const veth of await hostVethsOf(engine, container)) veths.add(veth);
  };
  return { engine, hostNet, tag, chainPrefix, subnetBase, dataRoot, stateRoot, subnet, veths, track, dispose };
}

/** Host-visible state of a fixture still present after `dispose` (all lists empty when clean). */
export async function leftovers(
  fixture: Pick<BridgeEngineFixture, 'tag' | 'chainPrefix' | 'dataRoot' | 'stateRoot' | 'veths'>,
): Promise<Record<string, string[]>> {
  const links = JSON.parse(await run('ip', ['-j', 'link', 'show'])) as Array<{ ifname: string }>;
  return {
    links: links.map((link) => link.ifname).filter((name) => name.includes(fixture.tag) || fixture.veths.has(name)),
    iptables: [
      ...(await iptablesLinesContaining(fixture.chainPrefix)),
      ...(await iptablesLinesContaining(`berth:bt${fixture.tag}`)),
      // The same in ip6tables: IPv6 networks get their rules there.
      ...(await run('ip6tables-save', [])).split('\n').filter((line) => line.includes(fixture.chainPrefix) || line.includes(`berth:bt${fixture.tag}`)),
    ],
    mounts: [...(await mountsUnder(fixture.dataRoot)), ...(await mountsUnder(fixture.stateRoot))],
  };
}
