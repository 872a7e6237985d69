import { PassThrough, Readable } from 'node:stream';
import { createFakeRuntime, type FakeRuntime } from '@berth/container';
import { FailedPreconditionError, NotFoundError } from '@berth/errdefs';
import { busyboxImage, tarOf } from '@berth/image/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Engine, type EngineEvent, createMemoryEngine } from '@berth/engine';

/** Lets timers and I/O callbacks due by now run (a macrotask turn, a few times over). */
async function settle(turns = 5): Promise<void> {
  for (let turn = 0; turn < turns; turn += 1) await new Promise((resolve) => setImmediate(resolve));
}

/** Collects the container events of `id` until stopped. */
function recordContainerEvents(engine: Engine, id: string) {
  const controller = new AbortController();
  const events: EngineEvent[] = [];
  void (async () => {
    for await (const event of engine.events({ filters: { container: [id] }, signal: controller.signal })) events.push(event);
  })();
  return { events, stop: () => controller.abort() };
}

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

/**
 * A fake runtime whose calls the test sees (`calls`) and whose `kill` can be scripted to lose
 * a race (`beforeKill`): the engine made by the test runs on it.
 */
function observedRuntime() {
  const inner = createFakeRuntime();
  const calls: string[] = [];
  let beforeKill: ((id: string) => Promise<void>) | undefined;
  const runtime: FakeRuntime = {
    ...inner,
    kill: async (id, signal, options) => {
      calls.push(`kill ${signal}`);
      const scripted = beforeKill;
      beforeKill = undefined;
      if (scripted) await scripted(id);
      return inner.kill(id, signal, options);
    },
    pause: async (id) => {
      calls.push('pause');
      return inner.pause(id);
    },
    resume: async (id) => {
      calls.push('resume');
      return inner.resume(id);
    },
  };
  return {
    runtime,
    calls,
    scriptNextKill: (script: (id: string) => Promise<void>) => {
      beforeKill = script;
    },
  };
}

describe('container robustness (memory engine)', () => {
  let observed: ReturnType<typeof observedRuntime>;
  let engine: Engine;

  beforeEach(async () => {
    observed = observedRuntime();
    engine = await createMemoryEngine({ runtime: observed.runtime, images: [{ image: busyboxImage(), tags: ['busybox:latest'] }] });
  });
  afterEach(async () => {
    for (const c of await engine.containers.list({ all: true })) await engine.containers.remove(c.id, { force: true }).catch(() => undefined);
    await engine.close();
    for (const c of await observed.runtime.list()) await observed.runtime.delete(c.id, { force: true }).catch(() => undefined);
  });

  async function running(cmd: string[] = ['sleep', '1000']): Promise<string> {
    const { id } = await engine.containers.create({ image: 'busybox', cmd });
    await engine.containers.start(id);
    return id;
  }

  describe('force-removing a container whose process is exiting just then', () => {
    it.each([
      ['has already forgotten it (NotFound)', (id: string) => new NotFoundError(`container ${id} does not exist in the runtime`)],
      ['no longer runs it (FailedPrecondition)', (id: string) => new FailedPreconditionError(`container ${id} is not running (state: stopped)`)],
    ])('removes it when the runtime %s at the SIGKILL, once its exit is recorded', async (_case, refusal) => {
      const id = await running();
      const recorder = recordContainerEvents(engine, id);
      // The process ends on its own and the runtime is done with it before the engine's
      // SIGKILL lands; the engine has not recorded the exit yet.
      observed.scriptNextKill(async (raced) => {
        await observed.runtime.kill(raced, 'SIGKILL');
        await observed.runtime.wait(raced);
        throw refusal(raced);
      });
      await engine.containers.remove(id, { force: true });
      expect(await engine.containers.inspect(id).catch((err: { code?: string }) => err.code)).toBe('NotFound');
      await settle();
      recorder.stop();
      expect(recorder.events.map((event) => event.action)).toEqual(['kill', 'die', 'destroy']);
    });

    it('still fails on any other refusal of the SIGKILL, leaving the container as it was', async () => {
      const id = await running();
      observed.scriptNextKill(async () => {
        throw new Error('runc exploded');
      });
      await expect(engine.containers.remove(id, { force: true })).rejects.toThrow(/runc exploded/);
      expect((await engine.containers.inspect(id)).state.status).toBe('running');
    });

    it('removes a stdin-once cat right after its stdin is closed through attach', async () => {
      for (let round = 0; round < 10; round += 1) {
        const { id } = await engine.containers.create({ image: 'busybox', cmd: ['cat'], openStdin: true, stdinOnce: true });
        await engine.containers.start(id);
        const session = await engine.containers.attach(id, { stdin: true, stdout: true, stderr: true });
        session.stdin!.end();
        await engine.containers.remove(id, { force: true });
        expect(await engine.containers.inspect(id).catch((err: { code?: string }) => err.code)).toBe('NotFound');
        await session.detach();
      }
    });
  });

  describe('stopping or killing a container whose process is exiting just then', () => {
    it.each(['SIGTERM', 'SIGKILL'])('%s: resolves once the exit is recorded, with no error', async (signal) => {
      const id = await running();
      observed.scriptNextKill(async (raced) => {
        await observed.runtime.kill(raced, 'SIGKILL');
        await observed.runtime.wait(raced);
        throw new NotFoundError(`container ${raced} does not exist in the runtime`);
      });
      if (signal === 'SIGTERM') await engine.containers.stop(id, { timeout: 100 });
      else await engine.containers.kill(id, signal);
      expect((await engine.containers.inspect(id)).state).toMatchObject({ status: 'exited', exitCode: 137 });
    });
  });

  describe('stop timeouts', () => {
    // The process ignores SIGTERM: only a SIGKILL (the engine's, after the timeout) ends it.
    beforeEach(() => {
      observed.runtime.addBehaviour((info) => (info.args.join(' ') === 'sleep 4242' ? { signals: { SIGTERM: 'ignore' } } : undefined));
    });

    async function stopSignals(timeout: number): Promise<string[]> {
      const id = await running(['sleep', '4242']);
      const recorder = recordContainerEvents(engine, id);
      const stopping = engine.containers.stop(id, { timeout });
      // A timer armed for "at once" by mistake has fired, and its SIGKILL been sent, by the
      // time a later timer runs: timers of Node fire in the order they fall due.
      while (!recorder.events.some((event) => event.action === 'kill')) await settle(1);
      await new Promise((resolve) => setTimeout(resolve, 30));
      if (!recorder.events.some((event) => event.action === 'die')) await observed.runtime.kill(id, 'SIGKILL');
      await stopping;
      await settle();
      recorder.stop();
      return recorder.events.filter((event) => event.action === 'kill').map((event) => event.actor.attributes.signal!);
    }

    it('kills after a timeout of 0 (the test can see an engine SIGKILL)', async () => {
      expect(await stopSignals(0)).toEqual(['15', '9']);
    });

    it.each([2_147_484, 1e9, Number.MAX_SAFE_INTEGER, -1])('waits without SIGKILL for a timeout of %d seconds', async (timeout) => {
      expect(await stopSignals(timeout)).toEqual(['15']);
    });
  });

  describe('file operations on a running container', () => {
    const hello = tarOf([{ type: 'file', path: 'hello.txt', content: 'hello\n' }]);

    it('freezes it through the runtime for each operation, invisibly: no pause events, still running', async () => {
      const id = await running();
      const recorder = recordContainerEvents(engine, id);
      const statuses: string[] = [];
      // The upload is read while the extraction runs: the runtime's state then is what the container is.
      const upload = Readable.from(
        (async function* () {
          statuses.push((await observed.runtime.state(id)).status);
          yield* hello();
        })(),
      );
      observed.calls.length = 0;
      await engine.containers.putArchive(id, '/tmp', upload);
      expect(statuses).toEqual(['paused']);
      expect(observed.calls).toEqual(['pause', 'resume']);

      observed.calls.length = 0;
      expect((await engine.containers.statPath(id, '/tmp/hello.txt')).size).toBe(6);
      const { archive } = await engine.containers.getArchive(id, '/tmp/hello.txt');
      // The tar is read lazily from the root: frozen until it is consumed.
      expect((await observed.runtime.state(id)).status).toBe('paused');
      expect((await drain(archive)).includes(Buffer.from('hello\n'))).toBe(true);
      await settle();
      expect(observed.calls).toEqual(['pause', 'resume', 'pause', 'resume']);
      expect((await observed.runtime.state(id)).status).toBe('running');

      observed.calls.length = 0;
      expect(await engine.containers.changes(id)).toContainEqual({ path: '/tmp/hello.txt', kind: 'A' });
      const exported = new PassThrough();
      const exportedBytes = drain(exported);
      await engine.containers.export(id, exported);
      expect((await exportedBytes).includes(Buffer.from('hello\n'))).toBe(true);
      await engine.containers.commit(id, { reference: 'robustness-commit:v1' });
      await engine.containers.commit(id, { reference: 'robustness-commit:v2', pause: false });
      expect(observed.calls).toEqual(['pause', 'resume', 'pause', 'resume', 'pause', 'resume']);

      expect((await engine.containers.inspect(id)).state.status).toBe('running');
      await settle();
      recorder.stop();
      expect(recorder.events.map((event) => event.action).filter((action) => action === 'pause' || action === 'unpause')).toEqual([]);
      await engine.images.remove('robustness-commit:v1');
      await engine.images.remove('robustness-commit:v2');
    });

    it('thaws it when the operation fails', async () => {
      const id = await running();
      observed.calls.length = 0;
      await expect(engine.containers.putArchive(id, '/no/such/dir', hello())).rejects.toMatchObject({ code: 'NotFound' });
      await expect(engine.containers.getArchive(id, '/no/such/file')).rejects.toMatchObject({ code: 'NotFound' });
      const { archive } = await engine.containers.getArchive(id, '/bin');
      archive.destroy();
      await settle();
      expect(observed.calls).toEqual(['pause', 'resume', 'pause', 'resume', 'pause', 'resume']);
      expect((await observed.runtime.state(id)).status).toBe('running');
      expect((await engine.containers.inspect(id)).state.status).toBe('running');
    });

    it('leaves a container the user paused paused, and does not touch its freezer', async () => {
      const id = await running();
      await engine.containers.pause(id);
      observed.calls.length = 0;
      await engine.containers.putArchive(id, '/tmp', hello());
      expect((await engine.containers.statPath(id, '/tmp/hello.txt')).size).toBe(6);
      await drain((await engine.containers.getArchive(id, '/tmp/hello.txt')).archive);
      await settle();
      expect(observed.calls).toEqual([]);
      expect((await observed.runtime.state(id)).status).toBe('paused');
      expect((await engine.containers.inspect(id)).state.status).toBe('paused');
      await engine.containers.unpause(id);
      expect((await engine.containers.inspect(id)).state.status).toBe('running');
    });

    it('holds the container’s other operations until an open archive of it is consumed', async () => {
      const id = await running();
      const { archive } = await engine.containers.getArchive(id, '/bin');
      const recorder = recordContainerEvents(engine, id);
      const stopping = engine.containers.stop(id, { timeout: 0 });
      try {
        await settle();
        // No signal reaches the frozen processes while the archive is read.
        expect(recorder.events).toEqual([]);
        expect((await observed.runtime.state(id)).status).toBe('paused');
        await drain(archive);
      } finally {
        archive.destroy();
      }
      await stopping;
      recorder.stop();
      expect((await engine.containers.inspect(id)).state.status).toBe('exited');
    });
  });
});
