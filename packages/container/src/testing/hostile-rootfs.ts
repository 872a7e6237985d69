import { mkdir, symlink, writeFile, link } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';

/**
 * A root file system full of traps for code that resolves container paths, next to a
 * host directory it must never reach: `<base>/rootfs` and `<base>/outside/secret`
 * (content `host secret`). Inside: `/etc/hosts`, `/data/a.txt` (+ a hardlink),
 * `/data/sub/b.txt`, an empty `/dst`, and links `/slash -> /`, `/up -> ../../..…`,
 * `/hostpath -> <outside>`, `/etc/secret-link -> <outside>/secret`,
 * `/data/etc-link -> ../etc`, `/loop1 <-> /loop2`, `/dst/into-data -> /data`.
 */
export async function hostileRootfs(base: string): Promise<{ root: string; outside: string }> {
  const root = join(base, 'rootfs');
  const outside = join(base, 'outside');
  await mkdir(join(root, 'etc'), { recursive: true });
  await mkdir(join(root, 'data/sub'), { recursive: true });
  await mkdir(join(root, 'dst'), { recursive: true });
  await mkdir(outside, { recursive: true });
  await writeFile(join(outside, 'secret'), 'host secret');
  await writeFile(join(root, 'etc/hosts'), '127.0.0.1 localhost\n');
  await writeFile(join(root, 'data/a.txt'), 'aaa');
  await writeFile(join(root, 'data/sub/b.txt'), 'bbb');
  await link(join(root, 'data/a.txt'), join(root, 'data/a-hardlink.txt'));
  await symlink('/', join(root, 'slash')); // absolute: the container's root
  await symlink('../../../../../../..', join(root, 'up')); // climbs: clamped at the root
  await symlink(outside, join(root, 'hostpath')); // a host path: means <root><outside> inside
  await symlink(join(outside, 'secret'), join(root, 'etc/secret-link'));
  await symlink('../etc', join(root, 'data/etc-link'));
  await symlink('loop2', join(root, 'loop1'));
  await symlink('loop1', join(root, 'loop2'));
  await symlink('/data', join(root, 'dst/into-data'));
  return { root, outside };
}

/** One member of a tar made by {@link tarOf}. */
export interface Member {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  content?: string;
  linkname?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: Date;
}

/** A tar of `members`, as a stream (for feeding `putArchive` in tests). */
export function tarOf(members: Member[]): Readable {
  const pack = tar.pack();
  for (const m of members) {
    const type = m.type ?? 'file';
    pack.entry(
      {
        name: m.name,
        type,
        linkname: m.linkname,
        mode: m.mode ?? (type === 'directory' ? 0o755 : 0o644),
        uid: m.uid ?? 0,
        gid: m.gid ?? 0,
        mtime: m.mtime ?? new Date('2020-01-01T00:00:00Z'),
      },
      type === 'file' ? (m.content ?? '') : '',
    );
  }
  pack.finalize();
  return Readable.from(pack);
}

/** The members of a tar stream: name → content, `<dir>`, `-> target` (symlink) or `=> target` (hardlink). */
export async function readTar(stream: Readable): Promise<Record<string, string>> {
  const extract = tar.extract();
  stream.pipe(extract as unknown as NodeJS.WritableStream);
  const members: Record<string, string> = {};
  for await (const entry of extract) {
    const { name, type, linkname } = entry.header;
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    members[name] =
      type === 'directory' ? '<dir>' : type === 'symlink' ? `-> ${linkname}` : type === 'link' ? `=> ${linkname}` : Buffer.concat(chunks).toString();
  }
  return members;
}
