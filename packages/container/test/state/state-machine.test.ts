import { errorCode } from '@berth/errdefs';
import { describe, expect, it } from 'vitest';
import { checkAttach, checkExec, checkTop } from '../../src/state/container-exec.js';
import { exitContainer } from '../../src/state/container-exit.js';
import { checkKill, killContainer } from '../../src/state/container-kill.js';
import { pauseContainer } from '../../src/state/container-pause.js';
import { deadContainer, removedContainer, removingContainer } from '../../src/state/container-remove.js';
import { restartingContainer } from '../../src/state/container-restarting.js';
import { checkStart, failStart, startContainer } from '../../src/state/container-start.js';
import { type ContainerState, type ContainerStatus, initialContainerState } from '../../src/state/container-state.js';
import { checkStop, stopContainer } from '../../src/state/container-stop.js';
import { unpauseContainer } from '../../src/state/container-unpause.js';

const ref = { id: 'abc', name: 'web' };
const t0 = new Date('2024-01-01T00:00:00Z');
const t1 = new Date('2024-01-01T00:01:00Z');

const inStatus = (status: ContainerStatus, extra: Partial<ContainerState> = {}): ContainerState => ({
  ...initialContainerState(),
  status,
  ...extra,
});

function failure(fn: () => unknown): { code: string | undefined; message: string; details: unknown } {
  try {
    fn();
  } catch (err) {
    return { code: errorCode(err), message: (err as Error).message, details: (err as { details?: unknown }).details };
  }
  throw new Error('expected a failure');
}

describe('a container lifecycle', () => {
  it('goes created → running ⇄ paused → exited → removing → removed', () => {
    let state = initialContainerState();
    expect(state.status).toBe('created');
    state = startContainer(ref, state, { pid: 42, now: t0 }).state;
    expect(state).toMatchObject({ status: 'running', pid: 42, startedAt: t0 });
    state = pauseContainer(ref, state).state;
    expect(state.status).toBe('paused');
    state = unpauseContainer(ref, state).state;
    expect(state.status).toBe('running');
    state = exitContainer(state, { exitCode: 3, now: t1 }).state;
    expect(state).toMatchObject({ status: 'exited', pid: 0, exitCode: 3, finishedAt: t1, oomKilled: false });
    state = removingContainer(ref, state).state;
    expect(state.status).toBe('removing');
    state = removedContainer(state).state;
    expect(state.status).toBe('removed');
  });

  it('restarts through restarting, counting policy restarts and resetting on a user start', () => {
    let state = startContainer(ref, initialContainerState(), { pid: 1, now: t0 }).state;
    state = restartingContainer(state, { exitCode: 1, now: t1 }).state;
    expect(state).toMatchObject({ status: 'restarting', restartCount: 1, exitCode: 1, pid: 0 });
    state = startContainer(ref, state, { pid: 2, now: t1, byRestartPolicy: true }).state;
    expect(state).toMatchObject({ status: 'running', restartCount: 1, exitCode: 0 });
    state = exitContainer(state, { exitCode: 0, now: t1 }).state;
    state = startContainer(ref, state, { pid: 3, now: t1 }).state;
    expect(state.restartCount).toBe(0);
  });

  it('records OOM kills and runtime errors at exit', () => {
    const state = exitContainer(inStatus('running', { pid: 9 }), { exitCode: 137, now: t1, oomKilled: true, error: 'x' }).state;
    expect(state).toMatchObject({ status: 'exited', oomKilled: true, error: 'x', exitCode: 137 });
  });

  it('an exit of a container without a process changes nothing', () => {
    const exited = inStatus('exited', { exitCode: 4 });
    expect(exitContainer(exited, { exitCode: 0, now: t1 })).toEqual({ state: exited, changed: false });
    expect(exitContainer(inStatus('removing', { pid: 3 }), { exitCode: 137, now: t1 }).state.status).toBe('removing');
  });

  it('a failed start keeps a created container created, with the error', () => {
    const state = failStart(initialContainerState(), { error: 'exec: "nope": executable file not found', exitCode: 127, now: t1 });
    expect(state).toMatchObject({ status: 'created', exitCode: 127, error: expect.stringContaining('not found') });
  });
});

describe('start', () => {
  it('is not modified on a running container', () => {
    const running = inStatus('running', { pid: 3 });
    expect(checkStart(ref, running)).toBe(false);
    expect(startContainer(ref, running, { pid: 4, now: t1 })).toEqual({ state: running, changed: false });
  });

  it('refuses paused, removing and dead containers with docker’s words', () => {
    expect(failure(() => startContainer(ref, inStatus('paused'), { pid: 1, now: t0 }))).toEqual({
      code: 'FailedPrecondition',
      message: 'cannot start a paused container, try unpause instead',
      details: { id: 'abc', name: 'web', status: 'paused' },
    });
    expect(failure(() => checkStart(ref, inStatus('removing'))).message).toBe('container is marked for removal and cannot be started');
    expect(failure(() => checkStart(ref, inStatus('dead'))).code).toBe('FailedPrecondition');
  });

  it('a removed container is not found', () => {
    expect(failure(() => checkStart(ref, inStatus('removed')))).toMatchObject({ code: 'NotFound', message: 'No such container: abc' });
  });
});

describe('stop and kill', () => {
  it('stop is not modified on a stopped container and marks a manual stop otherwise', () => {
    expect(checkStop(ref, inStatus('exited'))).toBe(false);
    expect(stopContainer(ref, inStatus('created')).changed).toBe(false);
    const stopped = stopContainer(ref, inStatus('paused')).state;
    expect(stopped).toMatchObject({ status: 'paused', manuallyStopped: true, restartCanceled: true });
  });

  it('kill refuses a container that is not running', () => {
    for (const status of ['created', 'exited', 'dead'] as const) {
      expect(failure(() => checkKill(ref, inStatus(status)))).toMatchObject({
        code: 'FailedPrecondition',
        message: 'Container abc is not running',
        details: { status },
      });
    }
  });

  it('kill cancels the restart policy only for SIGKILL or the stop signal', () => {
    const running = inStatus('running', { pid: 5 });
    expect(killContainer(ref, running, { signal: 'SIGHUP', stopSignal: 'SIGUSR1' }).state).toMatchObject({
      manuallyStopped: true,
      restartCanceled: false,
    });
    expect(killContainer(ref, running, { signal: 'USR1', stopSignal: 'SIGUSR1' }).state.restartCanceled).toBe(true);
    expect(killContainer(ref, running, { signal: 9, stopSignal: 'SIGUSR1' }).state.restartCanceled).toBe(true);
    expect(killContainer(ref, running, { signal: 'SIGHUP' }).state.restartCanceled).toBe(true);
  });
});

describe('pause and unpause', () => {
  it('use docker’s messages', () => {
    expect(failure(() => pauseContainer(ref, inStatus('exited'))).message).toBe('Container abc is not running');
    expect(failure(() => pauseContainer(ref, inStatus('paused'))).message).toBe('Container abc is already paused');
    expect(failure(() => pauseContainer(ref, inStatus('restarting'))).message).toBe(
      'Container abc is restarting, wait until the container is running',
    );
    expect(failure(() => unpauseContainer(ref, inStatus('running'))).message).toBe('Container abc is not paused');
  });
});

describe('remove', () => {
  it('refuses a live container without force, naming its state', () => {
    for (const status of ['running', 'paused', 'restarting'] as const) {
      expect(failure(() => removingContainer(ref, inStatus(status)))).toMatchObject({
        code: 'FailedPrecondition',
        message: `cannot remove container "/web": container is ${status}: stop the container before removing or force remove`,
      });
      expect(removingContainer(ref, inStatus(status), { force: true }).state.status).toBe('removing');
    }
  });

  it('a removal in progress is a conflict; a failed one leaves the container dead', () => {
    expect(failure(() => removingContainer(ref, inStatus('removing'))).code).toBe('Conflict');
    expect(deadContainer(inStatus('removing'), 'device busy').state).toMatchObject({ status: 'dead', error: 'device busy' });
    expect(removingContainer(ref, inStatus('dead')).state.status).toBe('removing');
  });
});

describe('exec, attach and top checks', () => {
  it('use docker’s messages', () => {
    expect(() => checkExec(ref, inStatus('running'))).not.toThrow();
    expect(failure(() => checkExec(ref, inStatus('exited'))).message).toBe('Container abc is not running');
    expect(failure(() => checkExec(ref, inStatus('paused'))).message).toBe('Container abc is paused, unpause the container before exec');
    expect(failure(() => checkAttach(ref, inStatus('exited'))).message).toBe('You cannot attach to a stopped container, start it first');
    expect(failure(() => checkAttach(ref, inStatus('paused'))).message).toBe('You cannot attach to a paused container, unpause it first');
    expect(() => checkTop(ref, inStatus('paused'))).not.toThrow();
    expect(failure(() => checkTop(ref, inStatus('created'))).message).toBe('Container abc is not running');
  });
});
