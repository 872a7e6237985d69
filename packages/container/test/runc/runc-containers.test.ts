import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describeIntegration } from '@berth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseContainerConfig } from '../../src/config/container-config.js';
import { mergeImageConfig } from '../../src/config/merge-image-config.js';
import { resolveUser } from '../../src/config/resolve-user.js';
import { readLogs } from '../../src/logs/read-logs.js';
import { readUserDatabase } from '../../src/rootfs/read-user-database.js';
import type { ExitStatus } from '../../src/runtime/oci-runtime.js';
import { createRuntimeSpec } from '../../src/spec/container-spec.js';
import { type RuncFixture, runcFixture } from './runc-fixture.js';

const busyboxDefaults = { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'] };

describeIntegration('containers on runc, from config to exit', { root: true, commands: ['runc', 'conmon', 'catatonit'] }, () => {
  let fixture: RuncFixture;
  let counter = 0;

  beforeAll(async () => {
    fixture = await runcFixture();
  });

  afterAll(async () => {
    for (const c of await fixture.runtime.list()) await fixture.runtime.delete(c.id, { force: true });
    const left = await fixture.leftovers();
    const stateDir = fixture.stateDir;
    await fixture.cleanup();
    // Nothing of ours may be left: no monitors, no containers, no cgroups (mounts go with cleanup).
    expect(left.conmons).toEqual([]);
    expect(left.cgroups).toEqual([]);
    expect(stateDir).toBeTruthy();
  });

  /** Creates and runs a container from a docker-style config; resolves when it exits. */
  async function runConfig(input: Record<string, unknown>, options: { until?: (id: string) => Promise<void> } = {}) {
    const id = `it-${process.pid.toString(36)}-${counter++}`;
    const paths = await fixture.prepare(id);
    await mkdir(dirname(paths.logPath), { recursive: true });
    const config = mergeImageConfig(parseContainerConfig({ image: 'busybox', ...input }), busyboxDefaults);
    const user = resolveUser(config.user, await readUserDatabase(paths.rootfs), config.groupAdd);
    const spec = createRuntimeSpec(config, {
      id,
      rootfs: paths.rootfs,
      user,
      initPath: '/usr/bin/catatonit',
      cgroupParent: fixture.cgroupParent,
    });
    await fixture.runtime.create(id, { bundle: paths.bundle, spec, logPath: paths.logPath });
    await fixture.runtime.start(id);
    await options.until?.(id);
    const exit: ExitStatus = await fixture.runtime.wait(id);
    const out: string[] = [];
    const err: string[] = [];
    for await (const entry of readLogs(paths.logPath)) (entry.stream === 'stdout' ? out : err).push(entry.message.toString());
    await fixture.runtime.delete(id);
    return { id, exit, out, err };
  }

  describe('processes', () => {
    it('runs `true` and reports exit codes', async () => {
      expect((await runConfig({ cmd: ['true'] })).exit.exitCode).toBe(0);
      expect((await runConfig({ cmd: ['sh', '-c', 'exit 42'] })).exit.exitCode).toBe(42);
    });

    it('keeps stdout and stderr apart', async () => {
      const { out, err } = await runConfig({ cmd: ['sh', '-c', 'echo to-out; echo to-err >&2; printf no-newline'] });
      expect(out).toEqual(['to-out', 'no-newline']);
      expect(err).toEqual(['to-err']);
    });

    it('applies env, user (by name, through /etc/passwd), working dir and hostname', async () => {
      const { out, exit } = await runConfig({
        cmd: ['sh', '-c', 'echo $GREETING; id -u; id -g; pwd; hostname; echo $HOME'],
        env: ['GREETING=hi there'],
        user: 'www-data',
        workingDir: '/var/www',
        hostname: 'web-1',
      });
      expect(exit.exitCode).toBe(0);
      expect(out).toEqual(['hi there', '33', '33', '/var/www', 'web-1', '/var/www']);
    });

    it('accepts uid:gid users unknown to /etc/passwd', async () => {
      const { out } = await runConfig({ cmd: ['sh', '-c', 'id -u; id -g'], user: '4242:4343' });
      expect(out).toEqual(['4242', '4343']);
    });
  });

  describe('file system', () => {
    it('a read-only root file system refuses writes; tmpfs mounts stay writable', async () => {
      const { out, exit } = await runConfig({
        cmd: ['sh', '-c', 'touch /forbidden 2>/dev/null && echo wrote-root; touch /scratch/ok && echo wrote-tmpfs; touch /dev/shm/ok && echo wrote-shm'],
        readOnlyRootfs: true,
        tmpfs: { '/scratch': 'size=1m' },
      });
      expect(exit.exitCode).toBe(0);
      expect(out).toEqual(['wrote-tmpfs', 'wrote-shm']);
    });

    it('mounts /dev/shm with the asked size', async () => {
      const { out } = await runConfig({ cmd: ['sh', '-c', "df -k /dev/shm | tail -1 | awk '{print $2}'"], shmSize: 2 * 1024 * 1024 });
      expect(out).toEqual(['2048']);
    });
  });

  describe('limits', () => {
    it('applies ulimits when given', async () => {
      const { out } = await runConfig({ cmd: ['sh', '-c', 'ulimit -n'], ulimits: [{ name: 'nofile', soft: 100, hard: 200 }] });
      expect(out).toEqual(['100']);
    });

    it('reports an OOM kill', async () => {
      const { exit } = await runConfig({
        cmd: ['sh', '-c', 'x=$(head -c 200000000 /dev/zero | tr "\\0" a); echo survived'],
        resources: { memory: 8 * 1024 * 1024, memorySwap: 8 * 1024 * 1024 },
      });
      expect(exit.exitCode).toBe(137);
      expect(exit.oomKilled).toBe(true);
    });
  });

  describe('init', () => {
    it('runs behind catatonit, which forwards signals', async () => {
      const { exit } = await runConfig(
        { cmd: ['sleep', '1000'], init: true },
        {
          until: async (id) => {
            const top = await fixture.runtime.top(id);
            const cmd = top.titles.indexOf('CMD');
            expect(top.processes.some((row) => row[cmd]!.includes('docker-init'))).toBe(true);
            await fixture.runtime.kill(id, 'SIGTERM');
          },
        },
      );
      expect(exit.exitCode).toBe(143);
    });
  });

  describe('cleanup', () => {
    it('leaves no runc state, monitor or cgroup behind a deleted container', async () => {
      const { id } = await runConfig({ cmd: ['true'] });
      await expect(fixture.runtime.state(id)).rejects.toMatchObject({ code: 'NotFound' });
      const left = await fixture.leftovers();
      expect(left.conmons).toEqual([]);
      expect(left.cgroups).toEqual([]);
      expect(await fixture.runtime.list()).toEqual([]);
    });
  });
});
