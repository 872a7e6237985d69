import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerCreateOptions, Engine } from '@berth/engine';
import { ConflictError } from '@berth/errdefs';
import { describeIntegration, makeTempDir } from '@berth/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type BridgeEngineFixture, execIn, leftovers, openBridgeEngine } from './support/linux-net-fixture.js';

// Volumes, tmpfs and bind mounts of the real engine (runc, overlayfs, the `local` volume
// driver) seen from busybox containers: what survives, what is copied, what is refused.
describeIntegration('linux engine volumes with real containers', { root: true, commands: ['runc', 'conmon', 'iptables', 'ip'] }, () => {
  let fixture: BridgeEngineFixture;
  let engine: Engine;
  let tag = '';
  let hostDir: { path: string; remove: () => Promise<void> };

  /** Runs a container to its end; resolves with its exit code and output (stdout and stderr). */
  const runToEnd = async (options: Omit<ContainerCreateOptions, 'image'>): Promise<{ id: string; exitCode: number; output: string }> => {
    const { id } = await engine.containers.create({ image: 'busybox', networkMode: 'none', ...options });
    await engine.containers.start(id);
    const { statusCode } = await engine.containers.wait(id);
    let output = '';
    for await (const chunk of engine.containers.logs(id, { stdout: true, stderr: true })) output += chunk.data.toString('utf8');
    return { id, exitCode: statusCode, output };
  };

  beforeAll(async () => {
    fixture = await openBridgeEngine();
    ({ engine, tag } = fixture);
    hostDir = await makeTempDir('berth-engine-bind');
  }, 60_000);

  afterAll(async () => {
    await fixture?.dispose();
    await hostDir?.remove();
  }, 60_000);

  it('keeps a named volume’s data after its container is removed, for the next container', async () => {
    const volume = `keep-${tag}`;
    const mounts = [{ type: 'volume' as const, source: volume, target: '/data' }];
    const writer = await runToEnd({ cmd: ['sh', '-c', `echo kept ${tag} > /data/note`], mounts });
    expect(writer.exitCode).toBe(0);
    await engine.containers.remove(writer.id);
    expect((await engine.volumes.inspect(volume)).name).toBe(volume);
    const reader = await runToEnd({ cmd: ['cat', '/data/note'], mounts });
    expect(reader).toMatchObject({ exitCode: 0, output: `kept ${tag}\n` });
    await engine.containers.remove(reader.id);
  });

  it("copies the image's content into a new named volume mounted over a non-empty directory", async () => {
    const volume = `etc-${tag}`;
    const listing = await runToEnd({ cmd: ['cat', '/etc/passwd'], mounts: [{ type: 'volume', source: volume, target: '/etc' }] });
    expect(listing.exitCode).toBe(0);
    expect(listing.output).toMatch(/^root:/m);
    const { mountpoint } = await engine.volumes.inspect(volume);
    expect(await readdir(mountpoint)).toEqual(expect.arrayContaining(['passwd', 'group']));
    // Without copy-up the volume gets none of the image's files (only the mount points of
    // the engine's /etc/hostname, /etc/hosts and /etc/resolv.conf, as with docker).
    const empty = await runToEnd({ cmd: ['ls', '-A', '/etc'], mounts: [{ type: 'volume', source: `nocopy-${tag}`, target: '/etc', noCopy: true }] });
    expect(empty.exitCode).toBe(0);
    expect(empty.output.split('\n').filter((name) => name !== '' && !['hostname', 'hosts', 'resolv.conf'].includes(name))).toEqual([]);
    await engine.containers.remove(listing.id);
    await engine.containers.remove(empty.id);
  });

  it('refuses to remove a volume a container uses, running or not', async () => {
    const volume = `busy-${tag}`;
    const { id } = await engine.containers.create({
      image: 'busybox',
      networkMode: 'none',
      cmd: ['sleep', '1000'],
      mounts: [{ type: 'volume', source: volume, target: '/data' }],
    });
    await expect(engine.volumes.remove(volume)).rejects.toBeInstanceOf(ConflictError);
    await engine.containers.start(id);
    await expect(engine.volumes.remove(volume)).rejects.toBeInstanceOf(ConflictError);
    await expect(engine.volumes.remove(volume, { force: true })).rejects.toBeInstanceOf(ConflictError);
    await engine.containers.remove(id, { force: true });
    await engine.volumes.remove(volume);
    await expect(engine.volumes.inspect(volume)).rejects.toThrow(/no such volume/i);
  });

  it('prunes unused volumes and keeps those a container uses', async () => {
    const used = `used-${tag}`;
    const unused = `unused-${tag}`;
    await engine.volumes.create({ name: unused, labels: { prune: tag } });
    await engine.volumes.create({ name: used, labels: { prune: tag } });
    const holder = await runToEnd({ cmd: ['true'], mounts: [{ type: 'volume', source: used, target: '/data' }] });
    const report = await engine.volumes.prune({ filters: { all: ['true'], label: [`prune=${tag}`] } });
    expect(report.volumesDeleted).toEqual([unused]);
    expect((await engine.volumes.inspect(used)).name).toBe(used);
    await expect(engine.volumes.inspect(unused)).rejects.toThrow(/no such volume/i);
    await engine.containers.remove(holder.id);
  });

  it('empties a tmpfs mount when the container restarts', async () => {
    const { id } = await engine.containers.create({
      image: 'busybox',
      networkMode: 'none',
      cmd: ['sleep', '1000'],
      mounts: [{ type: 'tmpfs', target: '/scratch' }],
      tmpfs: { '/scratch2': 'size=1m' },
    });
    await engine.containers.start(id);
    expect((await execIn(engine, id, ['sh', '-c', 'echo x > /scratch/f && echo y > /scratch2/f && echo z > /kept'])).exitCode).toBe(0);
    const types = (await execIn(engine, id, ['cat', '/proc/mounts'])).output;
    expect(types).toMatch(/^tmpfs \/scratch tmpfs /m);
    expect(types).toMatch(/^tmpfs \/scratch2 tmpfs /m);
    await engine.containers.restart(id, { timeout: 0 });
    expect((await execIn(engine, id, ['ls', '-A', '/scratch', '/scratch2'])).output).toBe('/scratch:\n\n/scratch2:\n');
    // The container's own file system keeps its changes.
    expect((await execIn(engine, id, ['cat', '/kept'])).output).toBe('z\n');
    await engine.containers.remove(id, { force: true });
  });

  it('bind-mounts a host directory read-write, and read-only refuses writes', async () => {
    const shared = join(hostDir.path, 'shared');
    await mkdir(shared);
    await writeFile(join(shared, 'from-host'), `host ${tag}\n`);
    const rw = await runToEnd({
      cmd: ['sh', '-c', 'cat /mnt/from-host && echo container > /mnt/from-container'],
      mounts: [{ type: 'bind', source: shared, target: '/mnt' }],
    });
    expect(rw).toMatchObject({ exitCode: 0, output: `host ${tag}\n` });
    expect(await readFile(join(shared, 'from-container'), 'utf8')).toBe('container\n');
    const ro = await runToEnd({
      cmd: ['sh', '-c', 'cat /mnt/from-host; echo nope > /mnt/denied'],
      mounts: [{ type: 'bind', source: shared, target: '/mnt', readOnly: true }],
    });
    expect(ro.exitCode).not.toBe(0);
    expect(ro.output).toContain(`host ${tag}\n`);
    expect(ro.output).toMatch(/read-only file system/i);
    expect(await readdir(shared)).not.toContain('denied');
    await engine.containers.remove(rw.id);
    await engine.containers.remove(ro.id);
  });

  it('leaves no mounts, links or rules behind once everything is removed', async () => {
    await fixture.dispose();
    expect(await leftovers(fixture)).toEqual({ links: [], iptables: [], mounts: [] });
  }, 60_000);
});
