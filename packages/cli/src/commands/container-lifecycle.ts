import type { CommandSpec } from '../command.js';
import { forEachTarget } from '../internal/report-error.js';
import { flag } from './flag.js';
import { parseInteger } from './parse-values.js';

/** `stop`: stop signal, then SIGKILL after `-t` seconds; prints each name. */
export const stopCommand: CommandSpec = {
  name: 'stop',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Stop one or more running containers',
  flags: [flag('signal', 'string', 'Signal to send to the container', { short: 's' }), flag('time', 'string', 'Seconds to wait before killing the container', { short: 't', valueName: 'int' })],
  args: { min: 1 },
  async run(context, flags, args) {
    const engine = await context.engine();
    const timeout = flags.has('time') ? parseInteger(flags.string('time')!, 'time') : undefined;
    const signal = flags.string('signal');
    return forEachTarget(context, args, async (target) => {
      await engine.containers.stop(target, { ...(timeout !== undefined ? { timeout } : {}), ...(signal ? { signal } : {}) });
      return target;
    });
  },
};

/** `restart`. */
export const restartCommand: CommandSpec = {
  name: 'restart',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Restart one or more containers',
  flags: [flag('signal', 'string', 'Signal to send to the container', { short: 's' }), flag('time', 'string', 'Seconds to wait before killing the container', { short: 't', valueName: 'int' })],
  args: { min: 1 },
  async run(context, flags, args) {
    const engine = await context.engine();
    const timeout = flags.has('time') ? parseInteger(flags.string('time')!, 'time') : undefined;
    const signal = flags.string('signal');
    return forEachTarget(context, args, async (target) => {
      await engine.containers.restart(target, { ...(timeout !== undefined ? { timeout } : {}), ...(signal ? { signal } : {}) });
      return target;
    });
  },
};

/** `kill`: SIGKILL or `-s`. */
export const killCommand: CommandSpec = {
  name: 'kill',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Kill one or more running containers',
  flags: [flag('signal', 'string', 'Signal to send to the container', { short: 's' })],
  args: { min: 1 },
  async run(context, flags, args) {
    const engine = await context.engine();
    const signal = flags.string('signal');
    return forEachTarget(context, args, async (target) => {
      await engine.containers.kill(target, signal);
      return target;
    });
  },
};

/** `rm`: `-f` kills running ones first, `-v` removes anonymous volumes. */
export const rmCommand: CommandSpec = {
  name: 'rm',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Remove one or more containers',
  flags: [
    flag('force', 'boolean', 'Force the removal of a running container (uses SIGKILL)', { short: 'f' }),
    flag('link', 'boolean', 'Remove the specified link', { short: 'l' }),
    flag('volumes', 'boolean', 'Remove anonymous volumes associated with the container', { short: 'v' }),
  ],
  args: { min: 1 },
  async run(context, flags, args) {
    const engine = await context.engine();
    return forEachTarget(context, args, async (target) => {
      await engine.containers.remove(target, { force: flags.bool('force'), volumes: flags.bool('volumes') });
      return target;
    });
  },
};

/** `pause` and `unpause`. */
export const pauseCommand: CommandSpec = {
  name: 'pause',
  usage: 'CONTAINER [CONTAINER...]',
  description: 'Pause all processes within one or more containers',
  args: { min: 1 },
  async run(context, _flags, args) {
    const engine = await context.engine();
    return forEachTarget(context, args, async (target) => {
      await engine.containers.pause(target);
      return target;
    });
  },
};

/** `unpause`. */
export const unpauseCommand: CommandSpec = {
  name: 'unpause',
  usage: 'CONTAINER [CONTAINER...]',
  description: 'Unpause all processes within one or more containers',
  args: { min: 1 },
  async run(context, _flags, args) {
    const engine = await context.engine();
    return forEachTarget(context, args, async (target) => {
      await engine.containers.unpause(target);
      return target;
    });
  },
};

/** `rename OLD NEW`. */
export const renameCommand: CommandSpec = {
  name: 'rename',
  usage: 'CONTAINER NEW_NAME',
  description: 'Rename a container',
  args: { min: 2, max: 2 },
  async run(context, _flags, [target, name]) {
    await (await context.engine()).containers.rename(target!, name!);
    return 0;
  },
};

/** `wait`: prints each container's exit code when it stops. */
export const waitCommand: CommandSpec = {
  name: 'wait',
  usage: 'CONTAINER [CONTAINER...]',
  description: 'Block until one or more containers stop, then print their exit codes',
  args: { min: 1 },
  async run(context, _flags, args) {
    const engine = await context.engine();
    return forEachTarget(context, args, async (target) => String((await engine.containers.wait(target, { signal: context.signal })).statusCode));
  },
};
