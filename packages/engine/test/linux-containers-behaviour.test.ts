import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { join } from 'node:path';
import { tarOf } from '@berth/image/testing';
import { describeIntegration } from '@berth/testkit';
import { expect, it } from 'vitest';
import type { ContainerCreateOptions } from '@berth/engine';
import { recordEvents } from '../src/conformance/engine-fixture.js';
import {
  engineLeftovers,
  execIn,
  noLeftovers,
  textOf,
} from './support/linux-engine-fixture.js';
import { useLinuxEngine } from './support/linux-engine-suite.js';

/** The content of the one file in a tar stream, through GNU tar. */
function fileOfTar(archive: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('tar', ['-xOf', '-'], (err, stdout) => (err ? reject(err) : resolve(stdout)));
    archive.pipe(child.stdin!);
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// What issue 4 asks to see on real containers that the conformance suite does not already
// show: process settings, limits enforced by the kernel, signals, freezing, restart and
// health actions, and archive copies that stay inside the container's root.
describeIntegration('linux engine: container behaviour', { root: true, commands: ['runc', 'conmon', 'tar'] }, () => {
  const suite = useLinuxEngine('berth-linux-containers');

  async function create(options: Omit<ContainerCreateOptions, 'image'>): Promise<string> {
    return (await suite.engine.containers.create({ image: 'busybox', ...options })).id;
  }

  async function runToExit(options: Omit<ContainerCreateOptions, 'image'>) {
    const id = await create(options);
    await suite.engine.containers.start(id);
    const { statusCode } = await suite.engine.containers.wait(id);
    const stdout = await textOf(suite.engine.containers.logs(id, { stdout: true, stderr: false }));
    const stderr = await textOf(suite.engine.containers.logs(id, { stdout: false, stderr: true }));
    return { id, statusCode, stdout, stderr };
  }

  it('honours env, user, working directory and hostname, and reports the exit code', async () => {
    const result = await runToExit({
      cmd: ['sh', '-c', 'echo "$GREETING"; id -u; id -g; pwd; hostname; echo oops >&2; exit 42'],
      env: ['GREETING=hello berth'],
      user: '65534:65534',
      workingDir: '/tmp',
      hostname: 'bt-host',
    });
    expect(result.statusCode).toBe(42);
    expect(result.stdout).toBe('hello berth\n65534\n65534\n/tmp\nbt-host\n');
    expect(result.stderr).toBe('oops\n');
  });

  it('refuses writes to a read-only root file system', async () => {
    const result = await runToExit({ cmd: ['sh', '-c', 'touch /written'], readOnlyRootfs: true });
    expect(result.statusCode).not.toBe(0);
    expect(result.stderr).toContain('Read-only file system');
  });

  it('OOM-kills a process beyond its memory limit: OOMKilled in inspect, an oom event', async () => {
    const memory = 16 * 1024 * 1024;
    const id = await create({ cmd: ['sh', '-c', 'x=a; while :; do x=$x$x; done'], resources: { memory, memorySwap: memory } });
    const recorder = recordEvents(suite.engine, { type: ['container'], container: [id], event: ['oom', 'die'] });
    await suite.engine.containers.start(id);
    const events = await recorder.until((event) => event.action === 'die');
    recorder.stop();
    expect(events.map((event) => event.action)).toContain('oom');
    const inspected = await suite.engine.containers.inspect(id);
    expect(inspected.state.oomKilled).toBe(true);
    expect(inspected.state.exitCode).toBe(137);
  });

  it('holds the pids limit: forks beyond it fail and the count stays within it', async () => {
    const id = await create({
      // A fork that fails ends the (sub)shell; PID 1 then holds on without forking.
      cmd: ['sh', '-c', '(for i in $(seq 1 20); do sleep 60 & done); echo spawned; exec sleep 1000'],
      resources: { pidsLimit: 8 },
    });
    await suite.engine.containers.start(id);
    const controller = new AbortController();
    let output = '';
    for await (const chunk of suite.engine.containers.logs(id, { follow: true, signal: controller.signal })) {
      output += chunk.data.toString('utf8');
      if (output.includes('spawned')) break;
    }
    controller.abort();
    expect(output).toContain('spawned');
    // Twenty sleeps were asked for; the limit lets PID 1 and at most seven others exist.
    const top = await suite.engine.containers.top(id);
    expect(top.processes.length).toBeGreaterThan(1);
    expect(top.processes.length).toBeLessThanOrEqual(8);
    expect((await readFile(`/sys/fs/cgroup/pids/berth/${id}/pids.max`, 'utf8')).trim()).toBe('8');
    expect(Number(await readFile(`/sys/fs/cgroup/pids/berth/${id}/pids.current`, 'utf8'))).toBeLessThanOrEqual(8);
    await suite.engine.containers.remove(id, { force: true });
  });

  it('stops with the stop signal first: a container trapping TERM exits with its own code', async () => {
    const id = await create({ cmd: ['sh', '-c', 'trap "exit 3" TERM; while :; do sleep 0.1; done'] });
    await suite.engine.containers.start(id);
    await suite.engine.containers.stop(id, { timeout: 20 });
    expect((await suite.engine.containers.inspect(id)).state.exitCode).toBe(3);
  });

  it('stops with SIGKILL after the stop timeout when TERM is ignored: exit 137', async () => {
    const id = await create({ cmd: ['sh', '-c', 'trap "" TERM; while :; do sleep 0.1; done'], stopTimeout: 1 });
    await suite.engine.containers.start(id);
    await suite.engine.containers.stop(id);
    expect((await suite.engine.containers.inspect(id)).state.exitCode).toBe(137);
  });

  it('freezes a counting loop while paused and lets it go on after unpause', async () => {
    const out = join(suite.dir, `counter-${randomBytes(3).toString('hex')}`);
    await mkdir(out);
    const counter = join(out, 'n');
    const id = await create({
      cmd: ['sh', '-c', 'i=0; while :; do i=$((i+1)); echo $i > /out/n.tmp; mv /out/n.tmp /out/n; sleep 0.02; done'],
      mounts: [{ type: 'bind', source: out, target: '/out' }],
    });
    const read = async () => Number((await readFile(counter, 'utf8').catch(() => '0')).trim() || '0');
    const grows = async (from: number) => {
      for (let attempt = 0; attempt < 200; attempt += 1) {
        if ((await read()) > from) return true;
        await delay(20);
      }
      return false;
    };
    await suite.engine.containers.start(id);
    expect(await grows(0)).toBe(true);
    await suite.engine.containers.pause(id);
    expect((await suite.engine.containers.inspect(id)).state.status).toBe('paused');
    const frozen = await read();
    await delay(300);
    expect(await read()).toBe(frozen);
    await suite.engine.containers.unpause(id);
    expect(await grows(frozen)).toBe(true);
    await suite.engine.containers.remove(id, { force: true });
  });

  it('runs an exec in a running container with its output and exit code', async () => {
    const id = await create({ cmd: ['sleep', '1000'] });
    await suite.engine.containers.start(id);
    expect(await execIn(suite.engine, id, ['sh', '-c', 'echo from-exec; exit 5'])).toEqual({ exitCode: 5, output: 'from-exec\n' });
    await suite.engine.containers.remove(id, { force: true });
  });

  it('commits a container into an image that runs with the change', async () => {
    const source = await runToExit({ cmd: ['sh', '-c', 'echo committed-content > /note'] });
    expect(source.statusCode).toBe(0);
    const reference = `bt-commit-${randomBytes(3).toString('hex')}:v1`;
    await suite.engine.containers.commit(source.id, { reference, changes: { Cmd: ['cat', '/note'] } });
    const id = (await suite.engine.containers.create({ image: reference })).id;
    await suite.engine.containers.start(id);
    expect((await suite.engine.containers.wait(id)).statusCode).toBe(0);
    expect(await textOf(suite.engine.containers.logs(id, { stdout: true }))).toBe('committed-content\n');
    await suite.engine.containers.remove(id);
    await suite.engine.containers.remove(source.id);
    await suite.engine.images.remove(reference);
  });

  it('restarts an always container after it exits, and not after an explicit stop', async () => {
    // The first run exits 0; the restarted run finds its mark and stays up.
    const id = await create({
      cmd: ['sh', '-c', 'if [ -f /once ]; then exec sleep 1000; fi; touch /once; exit 0'],
      restartPolicy: { name: 'always' },
    });
    const recorder = recordEvents(suite.engine, { type: ['container'], container: [id], event: ['start', 'die'] });
    await suite.engine.containers.start(id);
    await recorder.until(() => recorder.events.filter((event) => event.action === 'start').length >= 2);
    const restarted = await suite.engine.containers.inspect(id);
    expect(restarted.restartCount).toBe(1);
    expect(restarted.state.status).toBe('running');
    await suite.engine.containers.stop(id, { timeout: 1 });
    const startsBefore = recorder.events.filter((event) => event.action === 'start').length;
    // Longer than the restart backoff (100 ms after one restart): a restart would show.
    await delay(1000);
    recorder.stop();
    expect(recorder.events.filter((event) => event.action === 'start').length).toBe(startsBefore);
    const stopped = await suite.engine.containers.inspect(id);
    expect(stopped.state.status).toBe('exited');
    expect(stopped.restartCount).toBe(1);
  });

  it('restarts an unhealthy container when healthOnFailure is restart', async () => {
    const id = await create({
      cmd: ['sleep', '1000'],
      healthcheck: { test: ['CMD', 'false'], intervalNs: 100e6, retries: 1 },
      healthOnFailure: 'restart',
      // sleep as PID 1 ignores TERM: do not wait 10 s for the restart's stop.
      stopTimeout: 1,
    });
    const recorder = recordEvents(suite.engine, { type: ['container'], container: [id], event: ['health_status', 'restart'] });
    await suite.engine.containers.start(id);
    const events = await recorder.until((event) => event.action === 'restart');
    recorder.stop();
    expect(events.some((event) => event.action === 'health_status' && event.actor.attributes.healthStatus === 'unhealthy')).toBe(true);
    const inspected = await suite.engine.containers.inspect(id);
    expect(inspected.state.status).toBe('running');
    await suite.engine.containers.remove(id, { force: true });
  });

  it('keeps archive copies inside the container through a symlink to /', async () => {
    const marker = `bt-escape-${randomBytes(4).toString('hex')}`;
    const id = await create({ cmd: ['sleep', '1000'] });
    await suite.engine.containers.putArchive(id, '/', tarOf([{ type: 'symlink', path: 'escape', target: '/' }])());
    await suite.engine.containers.putArchive(id, '/escape/tmp', tarOf([{ type: 'file', path: marker, content: 'inside\n' }])());
    expect(existsSync(join('/tmp', marker))).toBe(false);
    expect((await suite.engine.containers.statPath(id, `/tmp/${marker}`)).size).toBe('inside\n'.length);
    // An archive that plants its own symlink and writes through it, and one climbing with `..`.
    await suite.engine.containers.putArchive(
      id,
      '/',
      tarOf([
        { type: 'symlink', path: 'planted', target: '/tmp' },
        { type: 'file', path: `planted/${marker}-planted`, content: 'planted\n' },
      ])(),
    );
    expect(existsSync(join('/tmp', `${marker}-planted`))).toBe(false);
    await suite.engine.containers.putArchive(id, '/', tarOf([{ type: 'symlink', path: 'up', target: '../../../../..' }])());
    await suite.engine.containers.putArchive(id, '/up/tmp', tarOf([{ type: 'file', path: `${marker}-up`, content: 'up\n' }])());
    expect(existsSync(join('/tmp', `${marker}-up`))).toBe(false);
    expect((await suite.engine.containers.statPath(id, `/tmp/${marker}-up`)).size).toBe('up\n'.length);

    const { archive } = await suite.engine.containers.getArchive(id, '/escape/etc/passwd');
    const passwd = await fileOfTar(archive);
    const containerPasswd = await fileOfTar((await suite.engine.containers.getArchive(id, '/etc/passwd')).archive);
    expect(passwd).toBe(containerPasswd);
    expect(passwd).not.toBe(await readFile('/etc/passwd', 'utf8'));
    expect(await fileOfTar((await suite.engine.containers.getArchive(id, '/up/etc/passwd')).archive)).toBe(containerPasswd);
    await suite.engine.containers.remove(id, { force: true });
  });

  // A stopped container's root file system is mounted for each file operation; overlapping
  // operations (an archive stream outlives its call) used to unmount it under each other.
  it('serves overlapping archive reads of a stopped container, and unmounts after the last', async () => {
    const id = await create({ cmd: ['true'] });
    const expected = await fileOfTar((await suite.engine.containers.getArchive(id, '/etc/group')).archive);
    const reads = await Promise.all(
      Array.from({ length: 12 }, async (_, index) => {
        if (index % 3 === 0) return String((await suite.engine.containers.statPath(id, '/etc/group')).size);
        return fileOfTar((await suite.engine.containers.getArchive(id, '/etc/group')).archive);
      }),
    );
    for (const [index, read] of reads.entries()) expect(read).toBe(index % 3 === 0 ? String(expected.length) : expected);
    // Sequential reads right after one another (each release races the next mount).
    for (let round = 0; round < 5; round += 1) {
      expect(await fileOfTar((await suite.engine.containers.getArchive(id, '/etc/group')).archive)).toBe(expected);
    }
    const mountedRootfs = async () =>
      (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').some((line) => line.split(' ')[4]?.includes(id));
    for (let attempt = 0; attempt < 100 && (await mountedRootfs()); attempt += 1) await delay(20);
    expect(await mountedRootfs()).toBe(false);
    await suite.engine.containers.remove(id);
  });

  it('removes a stopped container while an archive of it is still open, leaving no mount', async () => {
    const id = await create({ cmd: ['true'] });
    const { archive } = await suite.engine.containers.getArchive(id, '/bin');
    await suite.engine.containers.remove(id);
    archive.destroy();
    const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
    expect(mountinfo.split('\n').filter((line) => line.split(' ')[4]?.includes(id))).toEqual([]);
    expect(existsSync(join(suite.roots.stateRoot, 'containers', id))).toBe(false);
  });

  // The exit is recorded before the runtime has forgotten the run (conmon's `runc delete`
  // goes on in the background): a start right after `wait`, again and again, must wait for
  // that, and removal right after the last exit must still leave nothing behind.
  it('starts again right after each exit, and removal right after the last leaves nothing', async () => {
    const id = await create({ cmd: ['sh', '-c', 'echo run; exit 3'] });
    for (let run = 0; run < 5; run += 1) {
      await suite.engine.containers.start(id);
      expect((await suite.engine.containers.wait(id)).statusCode).toBe(3);
    }
    expect(await textOf(suite.engine.containers.logs(id, { stdout: true }))).toBe('run\n'.repeat(5));
    await suite.engine.containers.remove(id);
    expect(await engineLeftovers(suite.roots, [id])).toEqual(noLeftovers);
  });
});
