/**
 * The @berth/image demo (the library alone, no daemon): an image's trip through every medium.
 *
 *   node --conditions=@berth/source --import tsx scripts/demo-image.ts
 *
 * Needs root (it mounts overlayfs). Everything lives under a fresh temporary data root
 * that is unmounted and removed at the end — also when a step fails or on Ctrl-C.
 *
 *  1. build the busybox fixture from /bin/busybox
 *  2. import it into a content store + image store
 *  3. save it from the store as a docker archive (`docker save`)
 *  4. load the archive back into the store (`docker load`)
 *  5. unpack the loaded image with the overlay snapshotter
 *  6. mount a container root filesystem on it and list what is inside
 */
import { mkdtemp, readFile, readdir, lstat, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Image,
  createFsContentStore,
  createFsImageStore,
  createOverlaySnapshotter,
  readDockerArchive,
  storeImage,
  unpackImage,
  withMounts,
  writeDockerArchive,
  writeImageToStore,
} from '@berth/image';
import { busyboxImage } from '@berth/image/testing';

const imageName = 'docker.io/library/busybox:latest';
const loadedName = 'docker.io/library/busybox:loaded';

let stepNumber = 0;
function step(title: string): void {
  stepNumber++;
  console.log(`\n\x1b[1m[${stepNumber}] ${title}\x1b[0m`);
}
function detail(label: string, value: string | number): void {
  console.log(`    ${label.padEnd(14)} ${value}`);
}
function size(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1 << 20 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / (1 << 20)).toFixed(2)} MiB`;
}
const short = (digest: string) => digest.slice(0, 19);

async function describeImage(image: Image): Promise<void> {
  const manifest = await image.manifest();
  detail('manifest', `${await image.digest()} (${await image.mediaType()})`);
  detail('image ID', await image.configDigest());
  for (const [i, layer] of manifest.layers.entries()) {
    detail(`layer ${i}`, `${short(layer.digest)}…  ${size(layer.size)}  ${layer.mediaType}`);
  }
}

async function main(signal: AbortSignal): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.error('This demo mounts overlayfs and must run as root.');
    process.exitCode = 1;
    return;
  }
  const root = await mkdtemp(join(tmpdir(), 'berth-demo-'));
  console.log(`data root: ${root}`);
  try {
    const content = await createFsContentStore({ root: join(root, 'content') });
    const images = await createFsImageStore({ root: join(root, 'images') });

    step('Build the busybox fixture from /bin/busybox');
    const busybox = busyboxImage();
    await describeImage(busybox);

    step(`Import it into the content store as ${imageName}`);
    const target = await writeImageToStore(busybox, content, {
      signal,
      onBlob: ({ descriptor, status }) => detail(status, `${short(descriptor.digest)}…  ${size(descriptor.size)}  ${descriptor.mediaType}`),
    });
    await images.put({ name: imageName, target });
    detail('record', `${imageName} → ${target.digest}`);

    step('Save it from the store as a docker archive');
    const archive = join(root, 'busybox.tar');
    const stored = storeImage(content, (await images.get(imageName)).target);
    await writeDockerArchive(archive, [{ image: stored, tags: ['busybox:latest'] }], { signal });
    detail('archive', `${archive} (${size((await stat(archive)).size)})`);

    step('Load the archive back into the store');
    const [loaded] = await readDockerArchive(archive, { signal });
    if (!loaded) throw new Error('the archive holds no image');
    detail('tags', loaded.tags.join(', '));
    await describeImage(loaded.image);
    const sameId = (await loaded.image.configDigest()) === (await busybox.configDigest());
    detail('image ID kept', sameId ? 'yes' : 'NO');
    if (!sameId) throw new Error('the image ID changed on the way through the archive');
    const loadedTarget = await writeImageToStore(loaded.image, content, {
      signal,
      onBlob: ({ descriptor, status }) => detail(status, `${short(descriptor.digest)}…  ${size(descriptor.size)}`),
    });
    await images.put({ name: loadedName, target: loadedTarget });
    detail('record', `${loadedName} → ${loadedTarget.digest}`);

    step('Unpack it with the overlay snapshotter');
    const snapshotter = await createOverlaySnapshotter({ root: join(root, 'snapshots') });
    const unpacked = await unpackImage(storeImage(content, loadedTarget), snapshotter, {
      signal,
      onProgress: (event) => {
        if (event.state !== 'extracting') detail(`layer ${event.layer}`, `${event.state}  chain ${short(event.chainId)}…`);
      },
    });
    detail('top snapshot', unpacked.key ?? '(none)');

    step('Mount a container root filesystem and list it');
    const mounts = await snapshotter.prepare('demo-container', unpacked.key);
    detail('mount', `${mounts[0]?.type} ${mounts[0]?.options.filter((o) => o.startsWith('lowerdir')).join(',').slice(0, 60)}…`);
    await withMounts(
      mounts,
      async (dir) => {
        for (const name of (await readdir(dir)).sort()) {
          const info = await lstat(join(dir, name));
          const kind = info.isSymbolicLink() ? `-> ${await readlink(join(dir, name))}` : info.isDirectory() ? 'dir' : size(info.size);
          console.log(`    /${name.padEnd(12)} ${(info.mode & 0o7777).toString(8).padStart(4, '0')}  ${kind}`);
        }
        const applets = await readdir(join(dir, 'bin'));
        detail('/bin', `${applets.length} entries (busybox + applet symlinks: ${applets.filter((a) => ['sh', 'ls', 'wget', 'httpd'].includes(a)).join(', ')} …)`);
        detail('/etc/passwd', (await readFile(join(dir, 'etc/passwd'), 'utf8')).split('\n')[0]!);
      },
      { signal },
    );
    await snapshotter.remove('demo-container');
    console.log('\n\x1b[32mdone\x1b[0m: store → archive → store → snapshot → mount, image ID unchanged.');
  } finally {
    // withMounts has unmounted; nothing under the root is mounted any more.
    await rm(root, { recursive: true, force: true });
    console.log(`cleaned up ${root}`);
  }
}

const controller = new AbortController();
process.once('SIGINT', () => controller.abort(new Error('interrupted')));
main(controller.signal).catch((err: unknown) => {
  console.error(`\n\x1b[31mdemo failed:\x1b[0m ${(err as Error)?.stack ?? err}`);
  process.exitCode = 1;
});
