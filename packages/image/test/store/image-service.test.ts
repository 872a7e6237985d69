import { isConflict, isInvalidArgument, isNotFound } from '@berth/errdefs';
import { type Digest, digestHex } from '@berth/spec';
import { beforeEach, describe, expect, it } from 'vitest';
import { createMemoryContentStore } from '../../src/content/memory-content-store.js';
import { createImageService } from '../../src/store/image-service.js';
import { IMAGE_PARENT_LABEL, type ImageService, type ImageUser } from '../../src/store/image-service-types.js';
import { createMemoryImageStore } from '../../src/store/memory-image-store.js';
import type { ImageStore } from '../../src/store/image-store.js';
import { type TestImage, type TestImageSpec, putImage, putIndex } from './test-images.js';

type Content = ReturnType<typeof createMemoryContentStore>;

let content: Content;
let images: ImageStore;
let users: Map<Digest, ImageUser[]>;
let service: ImageService;
let seed = 0;

beforeEach(() => {
  content = createMemoryContentStore();
  images = createMemoryImageStore();
  users = new Map();
  service = createImageService({
    content,
    images,
    isInUse: (id) => users.get(id) ?? [],
    platform: { os: 'linux', architecture: 'amd64' },
  });
});

/** A distinct image (its own layer) recorded under `names` (the first through putImage, the rest tagged). */
async function image(names: string[], spec: TestImageSpec = {}): Promise<TestImage & { id: Digest }> {
  const built = await putImage(content, { layers: [{ [`file-${seed++}`]: 'x' }], ...spec });
  await service.putImage({ target: built.manifest, ...(names[0] ? { reference: names[0] } : {}) });
  for (const name of names.slice(1)) await service.tag(names[0]!, name);
  return { ...built, id: built.config.digest };
}

const short = (id: string) => digestHex(id as Digest).slice(0, 12);

describe('resolution', () => {
  it('resolves names, tags, full and short IDs, and digests to the same image', async () => {
    const busybox = await image(['busybox']);
    const inputs = [
      'busybox',
      'busybox:latest',
      'docker.io/library/busybox:latest',
      busybox.id,
      digestHex(busybox.id),
      short(busybox.id),
      digestHex(busybox.id).slice(0, 3),
      `sha256:${digestHex(busybox.id).slice(0, 5)}`,
      `busybox@${busybox.manifest.digest}`,
      busybox.manifest.digest,
    ];
    for (const input of inputs) expect((await service.resolve(input)).id, input).toBe(busybox.id);
    const resolved = await service.resolve('busybox');
    expect(resolved.manifest).toEqual(busybox.manifest);
    expect(resolved.repoTags).toEqual(['busybox:latest']);
    expect(await resolved.image.configDigest()).toBe(busybox.id);
  });

  it('says which image is missing, as Docker does', async () => {
    await expect(service.resolve('nothing')).rejects.toThrow('No such image: nothing:latest');
    await expect(service.resolve('nothing')).rejects.toSatisfy(isNotFound);
    await image(['busybox']);
    await expect(service.resolve('busybox:1.0')).rejects.toSatisfy(isNotFound);
    await expect(service.resolve(`sha256:${'0'.repeat(64)}`)).rejects.toSatisfy(isNotFound);
  });

  it('refuses an ambiguous ID prefix', async () => {
    const ids: Digest[] = [];
    for (let i = 0; i < 17; i++) ids.push((await image([`app${i}`])).id);
    const firsts = ids.map((id) => digestHex(id)[0]!);
    const shared = firsts.find((c, i) => firsts.indexOf(c) !== i)!;
    await expect(service.resolve(shared)).rejects.toSatisfy(isInvalidArgument);
    await expect(service.resolve(shared)).rejects.toThrow(/ambiguous/);
  });

  it('prefers a name over an ID prefix that reads the same', async () => {
    const other = await image(['other']);
    const prefix = digestHex(other.id).slice(0, 4);
    const named = await image([prefix]);
    expect((await service.resolve(prefix)).id).toBe(named.id);
  });

  it('resolves an index to the image of the service platform', async () => {
    const amd = await putImage(content, { layers: [{ amd: '1' }] });
    const arm = await putImage(content, { layers: [{ arm: '1' }], platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } });
    const index = await putIndex(content, [
      { manifest: amd.manifest, platform: { os: 'linux', architecture: 'amd64' } },
      { manifest: arm.manifest, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    ]);
    await service.putImage({ target: index, reference: 'multi' });
    const onAmd = await service.resolve('multi');
    expect(onAmd).toMatchObject({ id: amd.config.digest, target: index, manifest: { digest: amd.manifest.digest } });
    const armService = createImageService({ content, images, platform: { os: 'linux', architecture: 'arm64' } });
    expect((await armService.inspect('multi')).Id).toBe(arm.config.digest);
    expect((await armService.inspect('multi')).Variant).toBe('v8');
    const s390 = createImageService({ content, images, platform: { os: 'linux', architecture: 's390x' } });
    await expect(s390.resolve('multi')).rejects.toThrow(/no matching manifest for linux\/s390x/);
  });
});

describe('tag and untag', () => {
  it('tags by name and by short ID; both names show on the image', async () => {
    const busybox = await image(['busybox']);
    await service.tag('busybox', 'localhost:5000/tools/busybox:1');
    await service.tag(short(busybox.id), 'mine');
    expect((await service.inspect('busybox')).RepoTags.sort()).toEqual(['busybox:latest', 'localhost:5000/tools/busybox:1', 'mine:latest']);
    expect((await images.list()).map((r) => r.name)).toContain('localhost:5000/tools/busybox:1');
  });

  it('refuses a digest as tag and a missing source', async () => {
    const busybox = await image(['busybox']);
    await expect(service.tag('busybox', `busybox@${busybox.manifest.digest}`)).rejects.toSatisfy(isInvalidArgument);
    await expect(service.tag('nothing', 'x')).rejects.toSatisfy(isNotFound);
    await expect(service.tag('busybox', 'Upper')).rejects.toSatisfy(isInvalidArgument);
  });

  it('keeps an image that loses its last name to a tag, as dangling', async () => {
    const old = await image(['app:1']);
    const fresh = await image(['fresh']);
    await service.tag('fresh', 'app:1');
    expect((await service.resolve('app:1')).id).toBe(fresh.id);
    const dangling = await service.list({ filters: { dangling: ['true'] } });
    expect(dangling.map((s) => s.Id)).toEqual([old.id]);
    expect(dangling[0]!.RepoTags).toEqual([]);
    expect((await service.resolve(old.id)).id).toBe(old.id);
  });

  it('makes a dangling image non-dangling when it is tagged', async () => {
    const loose = await image([]);
    expect((await service.list({ filters: { dangling: ['true'] } })).map((s) => s.Id)).toEqual([loose.id]);
    await service.tag(loose.id, 'found');
    expect(await service.list({ filters: { dangling: ['true'] } })).toEqual([]);
    expect((await images.list()).map((r) => r.name)).toEqual(['docker.io/library/found:latest']);
  });

  it('untags one name, keeping the image; the last one leaves it dangling', async () => {
    const app = await image(['app:1', 'app:2']);
    expect(await service.untag('app:1')).toEqual([{ Untagged: 'app:1' }]);
    expect((await service.inspect(app.id)).RepoTags).toEqual(['app:2']);
    expect(await service.untag('app:2')).toEqual([{ Untagged: 'app:2' }]);
    expect((await service.inspect(app.id)).RepoTags).toEqual([]);
    expect((await service.list({ filters: { dangling: ['true'] } })).map((s) => s.Id)).toEqual([app.id]);
    await expect(service.untag('app:2')).rejects.toSatisfy(isNotFound);
    await expect(service.untag(app.id)).rejects.toSatisfy(isInvalidArgument);
  });
});

describe('putImage', () => {
  it('names an image, or keeps it dangling without a reference', async () => {
    const built = await putImage(content);
    const named = await service.putImage({ target: built.manifest, reference: 'localhost:5000/app:v1' });
    expect(named).toMatchObject({ id: built.config.digest, repoTags: ['localhost:5000/app:v1'] });
    const loose = await putImage(content, { layers: [{ loose: '1' }] });
    const dangling = await service.putImage({ target: loose.manifest });
    expect(dangling.repoTags).toEqual([]);
    expect((await service.list()).map((s) => s.Id).sort()).toEqual([built.config.digest, loose.config.digest].sort());
  });

  it('does not add a dangling record to an image that has a name', async () => {
    const built = await putImage(content);
    await service.putImage({ target: built.manifest, reference: 'app' });
    await service.putImage({ target: built.manifest });
    expect((await images.list()).map((r) => r.name)).toEqual(['docker.io/library/app:latest']);
  });

  it('refuses a target whose content is not in the store', async () => {
    const built = await putImage(content);
    await content.delete(built.config.digest);
    await expect(service.putImage({ target: built.manifest, reference: 'app' })).rejects.toSatisfy(isNotFound);
    expect(await images.list()).toEqual([]);
  });
});

describe('list', () => {
  it('lists every image newest first with Docker fields', async () => {
    const older = await image(['busybox'], { created: '2020-01-01T00:00:00Z', labels: { tier: 'base' } });
    const newer = await image(['alpine:3', 'localhost:5000/alpine:3'], { created: '2024-06-01T12:00:00Z' });
    const list = await service.list();
    expect(list.map((s) => s.Id)).toEqual([newer.id, older.id]);
    expect(list[1]).toEqual({
      Id: older.id,
      ParentId: '',
      RepoTags: ['busybox:latest'],
      RepoDigests: [`busybox@${older.manifest.digest}`],
      Created: Date.parse('2020-01-01T00:00:00Z') / 1000,
      Size: older.layers[0]!.size,
      SharedSize: -1,
      Labels: { tier: 'base' },
      Containers: -1,
    });
    expect(list[0]!.RepoTags.sort()).toEqual(['alpine:3', 'localhost:5000/alpine:3']);
  });

  it('filters by reference glob on familiar names, keeping only matching names', async () => {
    await image(['busybox:1', 'other:1']);
    await image(['busyboy']);
    await image(['localhost:5000/web', 'localhost:5000/team/web']);
    await image(['alpine']);
    const tags = async (pattern: string) =>
      (await service.list({ filters: { reference: [pattern] } })).flatMap((s) => s.RepoTags).sort();
    expect(await tags('busy*')).toEqual(['busybox:1', 'busyboy:latest']);
    expect(await tags('busybox')).toEqual(['busybox:1']);
    expect(await tags('busybox:1')).toEqual(['busybox:1']);
    expect(await tags('*:1')).toEqual(['busybox:1', 'other:1']);
    expect(await tags('localhost:5000/*')).toEqual(['localhost:5000/web:latest']);
    expect(await tags('localhost:5000/*/*')).toEqual(['localhost:5000/team/web:latest']);
    expect(await tags('nothing*')).toEqual([]);
    const multi = await service.list({ filters: { reference: ['alpine', 'busyboy'] } });
    expect(multi.flatMap((s) => s.RepoTags).sort()).toEqual(['alpine:latest', 'busyboy:latest']);
  });

  it('filters by label key and key=value, all of them required', async () => {
    const a = await image(['a'], { labels: { tier: 'web', team: 'x' } });
    const b = await image(['b'], { labels: { tier: 'db' } });
    await image(['c']);
    const ids = async (labels: string[]) => (await service.list({ filters: { label: labels } })).map((s) => s.Id).sort();
    expect(await ids(['tier'])).toEqual([a.id, b.id].sort());
    expect(await ids(['tier=web'])).toEqual([a.id]);
    expect(await ids(['tier', 'team=x'])).toEqual([a.id]);
    expect(await ids(['tier=db', 'team'])).toEqual([]);
  });

  it('filters dangling images in and out', async () => {
    const named = await image(['named']);
    const loose = await image([]);
    const ids = async (value: string) => (await service.list({ filters: { dangling: [value] } })).map((s) => s.Id);
    expect(await ids('true')).toEqual([loose.id]);
    expect(await ids('false')).toEqual([named.id]);
  });

  it('filters by before and since (strictly) another image', async () => {
    const first = await image(['first'], { created: '2021-01-01T00:00:00Z' });
    const middle = await image(['middle'], { created: '2022-01-01T00:00:00Z' });
    const last = await image(['last'], { created: '2023-01-01T00:00:00Z' });
    expect((await service.list({ filters: { before: ['middle'] } })).map((s) => s.Id)).toEqual([first.id]);
    expect((await service.list({ filters: { since: [short(middle.id)] } })).map((s) => s.Id)).toEqual([last.id]);
    expect((await service.list({ filters: { since: ['first'], before: ['last'] } })).map((s) => s.Id)).toEqual([middle.id]);
    await expect(service.list({ filters: { before: ['nothing'] } })).rejects.toSatisfy(isNotFound);
  });

  it('refuses unknown filters and malformed values', async () => {
    await expect(service.list({ filters: { colour: ['red'] } })).rejects.toThrow("invalid filter 'colour'");
    await expect(service.list({ filters: { dangling: ['maybe'] } })).rejects.toSatisfy(isInvalidArgument);
    await expect(service.list({ filters: { reference: ['[busy'] } })).rejects.toSatisfy(isInvalidArgument);
  });

  it('leaves out images whose content is gone', async () => {
    const gone = await image(['gone']);
    const kept = await image(['kept']);
    await content.delete(gone.config.digest);
    expect((await service.list()).map((s) => s.Id)).toEqual([kept.id]);
  });
});

describe('inspect and history', () => {
  const history = [
    { created: '2024-01-01T00:00:00Z', created_by: '/bin/sh -c #(nop) ADD file:abc in /', comment: '' },
    { created: '2024-01-02T00:00:00Z', created_by: '/bin/sh -c #(nop)  CMD ["sh"]', empty_layer: true },
    { created: '2024-01-03T00:00:00Z', created_by: 'RUN make', comment: 'built by test' },
  ];

  it("reports Docker's inspect fields", async () => {
    const built = await image(['busybox', 'localhost:5000/busybox:1.36'], {
      layers: [{ bin: 'busybox' }, { etc: 'passwd' }],
      created: '2024-01-03T00:00:00Z',
      history,
      platform: { os: 'linux', architecture: 'amd64' },
      extra: { author: 'Berth Tests' },
    });
    const info = await service.inspect('busybox:latest');
    expect(info).toMatchObject({
      Id: built.id,
      Parent: '',
      Comment: 'built by test',
      Created: '2024-01-03T00:00:00Z',
      DockerVersion: '',
      Author: 'Berth Tests',
      Architecture: 'amd64',
      Os: 'linux',
      Config: { Env: ['PATH=/bin'], Cmd: ['sh'] },
      RootFS: { Type: 'layers', Layers: built.diffIds },
      Size: built.layers[0]!.size + built.layers[1]!.size,
    });
    expect(info.RepoTags.sort()).toEqual(['busybox:latest', 'localhost:5000/busybox:1.36']);
    expect(info.RepoDigests.sort()).toEqual(
      [`busybox@${built.manifest.digest}`, `localhost:5000/busybox@${built.manifest.digest}`].sort(),
    );
    expect(info.Variant).toBeUndefined();
    expect(Date.parse(info.Metadata.LastTagTime!)).toBeGreaterThan(0);
  });

  it('reports uncompressed sizes when every layer has one', async () => {
    const built = await image(['busybox'], { layers: [{ a: '1' }, { b: '2' }] });
    const sizes = new Map(built.diffIds.map((d, i) => [d, built.tarSizes[i]!]));
    const sized = createImageService({ content, images, uncompressedSize: (d) => sizes.get(d), platform: { os: 'linux', architecture: 'amd64' } });
    expect((await sized.inspect('busybox')).Size).toBe(built.tarSizes[0]! + built.tarSizes[1]!);
    sizes.delete(built.diffIds[1]!);
    expect((await sized.inspect('busybox')).Size).toBe(built.layers[0]!.size + built.layers[1]!.size);
  });

  it('reports Parent from the record label and omits LastTagTime for a dangling image', async () => {
    const parent = await image([]);
    const child = await putImage(content, { layers: [{ child: '1' }] });
    await service.putImage({ target: child.manifest, labels: { [IMAGE_PARENT_LABEL]: parent.id } });
    const info = await service.inspect(child.config.digest);
    expect(info.Parent).toBe(parent.id);
    expect(info.Metadata).toEqual({});
    expect(info.RepoTags).toEqual([]);
  });

  it('lists history newest first with layer sizes, the ID and tags on top', async () => {
    const built = await image(['busybox'], { layers: [{ bin: 'busybox' }, { etc: 'passwd' }], history });
    const entries = await service.history('busybox');
    expect(entries).toEqual([
      { Id: built.id, Created: Date.parse('2024-01-03T00:00:00Z') / 1000, CreatedBy: 'RUN make', Tags: ['busybox:latest'], Size: built.layers[1]!.size, Comment: 'built by test' },
      { Id: '<missing>', Created: Date.parse('2024-01-02T00:00:00Z') / 1000, CreatedBy: '/bin/sh -c #(nop)  CMD ["sh"]', Tags: [], Size: 0, Comment: '' },
      { Id: '<missing>', Created: Date.parse('2024-01-01T00:00:00Z') / 1000, CreatedBy: '/bin/sh -c #(nop) ADD file:abc in /', Tags: [], Size: built.layers[0]!.size, Comment: '' },
    ]);
  });

  it('fails with NotFound for a missing image', async () => {
    await expect(service.inspect('nothing')).rejects.toSatisfy(isNotFound);
    await expect(service.history('nothing')).rejects.toSatisfy(isNotFound);
  });
});

describe('remove', () => {
  it('untags by name while other names remain', async () => {
    const app = await image(['app:1', 'app:2']);
    expect(await service.remove('app:1')).toEqual([{ Untagged: 'app:1' }]);
    expect((await service.inspect(app.id)).RepoTags).toEqual(['app:2']);
  });

  it('deletes the image with its last name', async () => {
    const app = await image(['app']);
    expect(await service.remove('app')).toEqual([{ Untagged: 'app:latest' }, { Deleted: app.id }]);
    expect(await images.list()).toEqual([]);
    await expect(service.resolve(app.id)).rejects.toSatisfy(isNotFound);
  });

  it('deletes by ID an image with a single name', async () => {
    const app = await image(['app']);
    expect(await service.remove(short(app.id))).toEqual([{ Untagged: 'app:latest' }, { Deleted: app.id }]);
  });

  it('refuses to delete by ID an image referenced in several repositories, unless forced', async () => {
    const app = await image(['app', 'other/app:2']);
    const error = await service.remove(app.id).catch((e: unknown) => e);
    expect(isConflict(error)).toBe(true);
    expect((error as Error).message).toBe(
      `conflict: unable to delete ${short(app.id)} (must be forced) - image is referenced in multiple repositories`,
    );
    expect((await service.inspect(app.id)).RepoTags).toHaveLength(2);
    const removed = await service.remove(app.id, { force: true });
    expect(removed).toEqual(expect.arrayContaining([{ Untagged: 'app:latest' }, { Untagged: 'other/app:2' }, { Deleted: app.id }]));
    expect(removed.at(-1)).toEqual({ Deleted: app.id });
    expect(await images.list()).toEqual([]);
  });

  it('treats two tags of one repository as several references too', async () => {
    const app = await image(['app:1', 'app:2']);
    await expect(service.remove(app.id)).rejects.toSatisfy(isConflict);
  });

  it('refuses to delete an image a running container uses, even forced', async () => {
    const app = await image(['app']);
    users.set(app.id, [{ containerId: 'c0ffee1234567890abcdef', running: true }]);
    for (const force of [false, true]) {
      await expect(service.remove(app.id, { force })).rejects.toThrow(
        `conflict: unable to delete ${short(app.id)} (cannot be forced) - image is being used by running container c0ffee123456`,
      );
    }
    expect((await service.inspect('app')).RepoTags).toEqual(['app:latest']);
  });

  it('refuses to delete an image a stopped container uses, unless forced', async () => {
    const app = await image(['app']);
    users.set(app.id, [{ containerId: 'deadbeef00001111', running: false }]);
    await expect(service.remove(app.id)).rejects.toThrow(
      `conflict: unable to delete ${short(app.id)} (must be forced) - image is being used by stopped container deadbeef0000`,
    );
    expect(await service.remove(app.id, { force: true })).toEqual([{ Untagged: 'app:latest' }, { Deleted: app.id }]);
  });

  it("refuses to untag the only name of an image in use; forced, the image stays dangling", async () => {
    const app = await image(['app']);
    users.set(app.id, [{ containerId: 'abcdef0123456789', running: true }]);
    await expect(service.remove('app')).rejects.toThrow(
      `conflict: unable to remove repository reference "app" (must force) - container abcdef012345 is using its referenced image ${short(app.id)}`,
    );
    expect(await service.remove('app', { force: true })).toEqual([{ Untagged: 'app:latest' }]);
    expect((await service.list({ filters: { dangling: ['true'] } })).map((s) => s.Id)).toEqual([app.id]);
    users.clear();
    expect(await service.remove(app.id)).toEqual([{ Deleted: app.id }]);
    expect(await images.list()).toEqual([]);
  });

  it('untags an image in use when another repository still names it', async () => {
    const app = await image(['app', 'mirror/app']);
    users.set(app.id, [{ containerId: 'abcdef0123456789', running: true }]);
    expect(await service.remove('app')).toEqual([{ Untagged: 'app:latest' }]);
  });

  it('removes by digest every name of the repository pointing at it', async () => {
    const app = await image(['app:1', 'app:2', 'keep/app:1']);
    const removed = await service.remove(`app@${app.manifest.digest}`);
    expect(removed).toEqual([{ Untagged: 'app:1' }, { Untagged: 'app:2' }]);
    expect((await service.inspect(app.id)).RepoTags).toEqual(['keep/app:1']);
  });

  it('drops the digest names of a repository with its last tag', async () => {
    const app = await image(['app']);
    await images.create({ name: `docker.io/library/app@${app.manifest.digest}`, target: app.manifest });
    expect((await service.inspect('app')).RepoDigests).toEqual([`app@${app.manifest.digest}`]);
    expect(await service.remove('app')).toEqual([
      { Untagged: 'app:latest' },
      { Untagged: `app@${app.manifest.digest}` },
      { Deleted: app.id },
    ]);
  });

  it('removes a dangling image by ID', async () => {
    const loose = await image([]);
    expect(await service.remove(loose.id)).toEqual([{ Deleted: loose.id }]);
    expect(await images.list()).toEqual([]);
  });

  it('prunes an untagged unused parent unless noPrune', async () => {
    const setupChild = async (name: string) => {
      const parent = await image([]);
      const child = await putImage(content, { layers: [{ [name]: '1' }] });
      await service.putImage({ target: child.manifest, reference: name, labels: { [IMAGE_PARENT_LABEL]: parent.id } });
      return { parent: parent.id, child: child.config.digest };
    };
    const pruned = await setupChild('pruned');
    expect(await service.remove('pruned')).toEqual([{ Untagged: 'pruned:latest' }, { Deleted: pruned.child }, { Deleted: pruned.parent }]);
    const kept = await setupChild('kept');
    expect(await service.remove('kept', { noPrune: true })).toEqual([{ Untagged: 'kept:latest' }, { Deleted: kept.child }]);
    expect((await service.resolve(kept.parent)).id).toBe(kept.parent);
  });

  it('fails with NotFound for a missing image', async () => {
    await expect(service.remove('nothing')).rejects.toSatisfy(isNotFound);
  });

  it('removes an image whose content is gone, by name', async () => {
    const app = await image(['app']);
    await content.delete(app.manifest.digest);
    expect(await service.remove('app')).toEqual([{ Untagged: 'app:latest' }, { Deleted: app.manifest.digest }]);
  });
});

describe('image service over a persistent store', () => {
  it('keeps names and dangling images across a restart', async () => {
    const { makeTempDir } = await import('@berth/testkit');
    const { createFsImageStore } = await import('../../src/store/fs-image-store.js');
    const dir = await makeTempDir('berth-image-service');
    try {
      const platform = { os: 'linux', architecture: 'amd64' };
      const first = createImageService({ content, images: await createFsImageStore({ root: dir.path }), platform });
      const named = await putImage(content, { layers: [{ named: '1' }] });
      const loose = await putImage(content, { layers: [{ loose: '1' }] });
      await first.putImage({ target: named.manifest, reference: 'app:1' });
      await first.putImage({ target: loose.manifest });
      await first.tag('app:1', 'app:2');

      const second = createImageService({ content, images: await createFsImageStore({ root: dir.path }), platform });
      expect((await second.inspect('app:2')).RepoTags).toEqual(['app:1', 'app:2']);
      expect((await second.list({ filters: { dangling: ['true'] } })).map((s) => s.Id)).toEqual([loose.config.digest]);
    } finally {
      await dir.remove();
    }
  });
});

describe('concurrent changes', () => {
  it('serialises tags and removals made at the same time', async () => {
    const app = await image(['app']);
    await Promise.all(Array.from({ length: 10 }, (_, i) => service.tag('app', `app:${i}`)));
    expect((await service.inspect(app.id)).RepoTags).toHaveLength(11);
    const results = await Promise.all(Array.from({ length: 11 }, (_, i) => service.remove(i === 10 ? 'app' : `app:${i}`)));
    expect(results.flat().filter((e) => 'Deleted' in e)).toEqual([{ Deleted: app.id }]);
    expect(await images.list()).toEqual([]);
  });
});
