import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type ContainerMount, initialContainerState, mergeImageConfig, parseContainerConfig, processArgs } from '@berth/container';
import { InvalidArgumentError } from '@berth/errdefs';
import { unpackImage } from '@berth/image';
import { emitContainerEvent, type ContainerContext } from './container-context.js';
import { generateContainerName, validateContainerName } from './container-names.js';
import type { ContainerRecord } from './container-record.js';
import type { ContainerCreateOptions, ContainerCreateResult } from './container-types.js';
import { mountsFromContainers } from './container-volumes-from.js';

const ENGINE_ONLY_KEYS = [
  'name',
  'networkMode',
  'exposedPorts',
  'portBindings',
  'publishAllPorts',
  'networks',
  'autoRemove',
  'extraHosts',
  'dns',
  'platform',
  'healthOnFailure',
  'volumesFrom',
] as const;

/** The snapshot holding a container's root file system. */
export function containerSnapshotKey(id: string): string {
  return `container-${id}`;
}

/** The network a `networkMode` joins at start, if it names one (`bridge`, a user network). */
export function primaryNetworkOf(networkMode: string): string | undefined {
  if (networkMode === 'host' || networkMode === 'none' || networkMode.startsWith('container:')) return undefined;
  return networkMode === 'default' || networkMode === '' ? 'bridge' : networkMode;
}

/**
 * `docker create`: validates the config (`InvalidArgument`), resolves the image (`NotFound`
 * `No such image`), takes the name (`Conflict` if taken; generated when absent), unpacks
 * the image into the snapshotter and prepares the container's writable snapshot, creates
 * its volumes (named, anonymous, and the image's `VOLUME`s), takes the volumes and binds of
 * the `volumesFrom` containers (`NotFound` for an unknown one; registered as a user of
 * their volumes) and records it. Event: `create`.
 */
export async function createContainer(context: ContainerContext, options: ContainerCreateOptions): Promise<ContainerCreateResult> {
  const { engine, table } = context;
  const configInput: Record<string, unknown> = { ...options };
  for (const key of ENGINE_ONLY_KEYS) delete configInput[key];
  const config = parseContainerConfig(configInput);
  if (options.autoRemove && config.restartPolicy && config.restartPolicy.name !== 'no') {
    throw new InvalidArgumentError('Conflicting options: RestartPolicy and AutoRemove');
  }
  const name = options.name !== undefined ? validateContainerName(options.name) : generateContainerName((n) => table.nameTaken(n));
  const releaseName = table.reserveName(name);
  try {
    return await createNamed(context, options, config, name, releaseName);
  } finally {
    releaseName();
  }
}

/** The rest of {@link createContainer}, with `name` reserved until just before the insert. */
async function createNamed(
  context: ContainerContext,
  options: ContainerCreateOptions,
  config: ReturnType<typeof parseContainerConfig>,
  name: string,
  releaseName: () => void,
): Promise<ContainerCreateResult> {
  const { engine, table } = context;
  const networkMode = options.networkMode ?? 'bridge';
  const primary = primaryNetworkOf(networkMode);
  if (primary) engine.components.networks.inspectNetwork(primary);
  if (networkMode.startsWith('container:')) table.get(networkMode.slice('container:'.length));
  for (const network of Object.keys(options.networks ?? {})) engine.components.networks.inspectNetwork(network);
  const explicitTargets = new Set([...(config.mounts ?? []).map((m) => m.target), ...Object.keys(config.tmpfs ?? {})]);
  const inherited = mountsFromContainers(table, options.volumesFrom ?? [], explicitTargets);

  const image = await engine.images.resolve(config.image);
  const merged = mergeImageConfig(config, image.config.config);
  processArgs(merged);

  const id = randomBytes(32).toString('hex');
  const { snapshotter } = engine.components;
  const unpacked = await unpackImage(image.image, snapshotter);
  const snapshotKey = containerSnapshotKey(id);
  await snapshotter.prepare(snapshotKey, unpacked.key, { labels: { 'io.berth.container': id } });
  const volumes: ContainerRecord['volumes'] = {};
  try {
    const mounts: ContainerMount[] = [];
    for (const mount of merged.mounts ?? []) {
      if (mount.type !== 'volume') {
        mounts.push(mount);
        continue;
      }
      const volume = await engine.volumes.create({ ...(mount.source ? { name: mount.source } : {}), user: id });
      volumes[volume.Name] = { anonymous: mount.source === undefined, target: mount.target };
      mounts.push({ ...mount, source: volume.Name });
    }
    for (const mount of inherited) {
      if (mount.type === 'volume' && mount.source !== undefined && !(mount.source in volumes)) {
        // The volume stays the source container's: this one only uses it (never removes it).
        volumes[mount.source] = { anonymous: false, target: mount.target };
        await engine.volumes.addUser(mount.source, id);
      }
      mounts.push(mount);
    }
    const targets = new Set([...mounts.map((m) => m.target), ...Object.keys(merged.tmpfs ?? {})]);
    for (const target of merged.imageVolumes) {
      if (targets.has(target)) continue;
      const volume = await engine.volumes.create({ user: id });
      volumes[volume.Name] = { anonymous: true, target };
      mounts.push({ type: 'volume', source: volume.Name, target });
    }
    merged.mounts = mounts;

    const networks: ContainerRecord['networks'] = {};
    if (primary) networks[primary] = {};
    for (const [network, settings] of Object.entries(options.networks ?? {})) networks[network] = { ...settings };

    const record: ContainerRecord = {
      id,
      name,
      created: new Date(),
      options: { ...options, image: config.image },
      config: merged,
      imageId: image.id,
      state: initialContainerState(),
      snapshotKey,
      ...(unpacked.key ? { snapshotParent: unpacked.key } : {}),
      logPath: join(context.host.logRoot, id, `${id}-json.log`),
      bundle: join(context.host.stateRoot, 'containers', id),
      networkMode,
      networks,
      volumes,
      previousDelayMs: 0,
    };
    releaseName();
    const entry = await table.insert(record);
    emitContainerEvent(context, entry, 'create');
    return { id, warnings: [] };
  } catch (err) {
    for (const volume of Object.keys(volumes)) {
      await engine.volumes.removeUser(volume, id).catch(() => undefined);
      if (volumes[volume]!.anonymous) await engine.volumes.remove(volume).catch(() => undefined);
    }
    await snapshotter.remove(snapshotKey).catch(() => undefined);
    throw err;
  }
}
