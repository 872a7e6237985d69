import type { ContainerCreateOptions, Engine } from '@berth/engine';
import { isNotFound } from '@berth/errdefs';
import type { CliContext, CommandSpec, ParsedFlags } from '../command.js';
import { errorText, startFailureStatus } from '../internal/report-error.js';
import { CONTAINER_FLAGS, containerOptionsFromFlags } from './container-options.js';
import { flag } from './flag.js';
import { pullImage } from './pull-image.js';
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from '@berth/docker-api';
import { DetachKeyFilter } from './detach-keys.js';
import { copyOutput, enterRawMode, followTerminalSize } from './stream-output.js';

/** What ended an attached session: the container's exit status, or the user typing the detach keys. */
type SessionEnd = { status: number } | { detached: true };

/** The `--detach-keys` of a command, as bytes (docker's ctrl-p ctrl-q by default). */
function detachKeysOf(flags: ParsedFlags): Buffer {
  return parseDetachKeys(flags.string('detach-keys') ?? DEFAULT_DETACH_KEYS);
}

/**
 * Feeds the local stdin to a container's stdin. With a terminal the input goes through the
 * detach-key filter: typing the sequence stops the feeding without closing the container's
 * stdin (the container runs on), and `detached` resolves. Returns the function that stops it.
 */
function feedStdin(context: CliContext, target: NodeJS.WritableStream & { on(event: 'error', listener: () => void): unknown }, detachKeys: Buffer | undefined): { detached: Promise<void>; stop: () => void } {
  const stdin = context.stdin!;
  target.on('error', () => undefined);
  if (!detachKeys) {
    stdin.pipe(target);
    return { detached: new Promise<void>(() => undefined), stop: () => stdin.unpipe(target) };
  }
  const filter = new DetachKeyFilter(detachKeys);
  let detached = false;
  void filter.detached.then(() => (detached = true));
  stdin.pipe(filter).pipe(target, { end: false });
  // The local input ended (not a detach): the container's stdin ends too, as without the filter.
  filter.once('end', () => {
    if (!detached) target.end();
  });
  return {
    detached: filter.detached,
    stop: () => {
      stdin.unpipe(filter);
      filter.unpipe(target);
    },
  };
}

/** A failure of `run`/`create` before the container runs: docker's `docker: …` line and status 125 (or 126/127). */
function failRun(context: CliContext, path: string, err: unknown, status = 125): number {
  context.stderr.write(`${context.programName}: ${errorText(err)}\n\nRun '${context.programName} ${path} --help' for more information\n`);
  return status;
}

/** Creates the container, pulling the image first when `--pull` says so (docker's `missing` default). */
async function createContainer(context: CliContext, engine: Engine, options: ContainerCreateOptions, flags: ParsedFlags): Promise<string> {
  const policy = flags.string('pull') ?? 'missing';
  const pull = () => pullImage(context, engine, options.image, { quiet: flags.bool('quiet'), out: context.stderr, ...(options.platform ? { platform: options.platform } : {}) });
  if (policy === 'always') await pull();
  try {
    const { id, warnings } = await engine.containers.create(options);
    for (const warning of warnings) context.stderr.write(`WARNING: ${warning}\n`);
    return id;
  } catch (err) {
    if (!isNotFound(err) || policy !== 'missing' || !/image/i.test((err as Error).message)) throw err;
    const reference = options.image.includes(':') || options.image.includes('@') ? options.image : `${options.image}:latest`;
    context.stderr.write(`Unable to find image '${reference}' locally\n`);
    await pull();
    return (await engine.containers.create(options)).id;
  }
}

/** `create`: prints the new container's ID. */
export const createCommand: CommandSpec = {
  name: 'create',
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  description: 'Create a new container',
  flags: CONTAINER_FLAGS,
  args: { min: 1 },
  interspersed: false,
  async run(context, flags, [image, ...command]) {
    let options: ContainerCreateOptions;
    try {
      options = containerOptionsFromFlags(flags, image!, command, context.env);
    } catch (err) {
      return failRun(context, 'create', err);
    }
    try {
      const engine = await context.engine();
      context.stdout.write(`${await createContainer(context, engine, options, flags)}\n`);
      return 0;
    } catch (err) {
      return failRun(context, 'create', err);
    }
  },
};

/**
 * `run`: create, attach, start, stream, wait — the container's exit status is the CLI's.
 * `-d` prints the ID instead. `-it` on a terminal uses raw mode and follows the window size.
 */
export const runCommand: CommandSpec = {
  name: 'run',
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  description: 'Create and run a new container from an image',
  flags: [
    ...CONTAINER_FLAGS,
    flag('detach', 'boolean', 'Run container in background and print container ID', { short: 'd' }),
    flag('detach-keys', 'string', 'Override the key sequence for detaching a container'),
    flag('sig-proxy', 'boolean', 'Proxy received signals to the process', { defaultText: 'true' }),
  ].sort((a, b) => a.name.localeCompare(b.name)),
  args: { min: 1 },
  interspersed: false,
  async run(context, flags, [image, ...command]) {
    let options: ContainerCreateOptions;
    let detachKeys: Buffer;
    try {
      options = containerOptionsFromFlags(flags, image!, command, context.env);
      detachKeys = detachKeysOf(flags);
    } catch (err) {
      return failRun(context, 'run', err);
    }
    let engine: Engine;
    let id: string;
    try {
      engine = await context.engine();
      id = await createContainer(context, engine, options, flags);
    } catch (err) {
      return failRun(context, 'run', err);
    }
    if (flags.bool('detach')) {
      try {
        await engine.containers.start(id);
      } catch (err) {
        return failRun(context, 'run', err, startFailureStatus(err));
      }
      context.stdout.write(`${id}\n`);
      return 0;
    }
    const sigProxy = !flags.has('sig-proxy') || flags.bool('sig-proxy');
    const end = await attachAndStart(context, engine, id, { interactive: flags.bool('interactive'), tty: flags.bool('tty'), autoRemove: flags.bool('rm'), sigProxy, detachKeys });
    // Detached from `run -it`: the container runs on, and the CLI is done (docker: status 0).
    return 'status' in end ? end.status : 0;
  },
};

/**
 * Starts a container and streams its run until it exits; resolves to its exit status.
 * Without `-i` the output is the logs of this run followed to its end (what berthd itself
 * serves for docker's attach-then-start). With `-i` the CLI attaches before the start, as
 * docker does, where the engine allows it (berthd); an in-process engine attaches only to
 * running containers, so there stdin is attached after the start and the output is the logs.
 */
async function attachAndStart(
  context: CliContext,
  engine: Engine,
  id: string,
  options: { interactive: boolean; tty: boolean; autoRemove: boolean; sigProxy?: boolean; detachKeys: Buffer },
): Promise<SessionEnd> {
  const before = await engine.containers.inspect(id);
  // Output after the previous run ended belongs to this one (a never-started container: all of it).
  const previousRunEnd = before.state.startedAt ? (before.state.finishedAt ?? context.now()) : undefined;
  const exited = engine.containers.wait(id, { condition: options.autoRemove ? 'removed' : 'next-exit' });
  exited.catch(() => undefined);
  const attachStreams = { stdin: true, stdout: true, stderr: true, signal: context.signal } as const;
  // Interactive: attach first, as docker does (berthd accepts that and serves the coming run);
  // an in-process engine attaches only to running containers, so there it follows the start.
  let session = options.interactive ? await engine.containers.attach(id, attachStreams).catch(() => undefined) : undefined;
  try {
    await engine.containers.start(id);
  } catch (err) {
    await session?.detach().catch(() => undefined);
    if (options.autoRemove) await engine.containers.remove(id, { force: true }).catch(() => undefined);
    return { status: failRun(context, 'run', err, startFailureStatus(err)) };
  }
  // Attached after the start: stdin only, the output is the run's logs (nothing printed before the attach is lost).
  const stdinOnly = options.interactive && !session ? await engine.containers.attach(id, { ...attachStreams, stdout: false, stderr: false }).catch(() => undefined) : undefined;
  const stdinTarget = (session ?? stdinOnly)?.stdin;
  // --sig-proxy (default on, off with a terminal as docker): an interrupt of the CLI is sent to the container, whose exit ends the run.
  const proxied = options.sigProxy !== false && !options.tty;
  const forwardInterrupt = () => {
    engine.containers.kill(id, 'SIGINT').catch(() => undefined);
  };
  if (proxied) context.signal.addEventListener('abort', forwardInterrupt, { once: true });
  const restoreTerminal = options.tty ? enterRawMode(context) : () => undefined;
  const stopResizing = options.tty && engine.containers.resize ? followTerminalSize(context, (size) => engine.containers.resize!(id, size)) : () => undefined;
  // Detach keys work with a terminal only, as docker's.
  const feeding = stdinTarget && context.stdin ? feedStdin(context, stdinTarget, options.tty ? options.detachKeys : undefined) : undefined;
  const stopOutput = new AbortController();
  try {
    // Not ended by the interrupt when it is proxied: the output runs until the container reacts.
    const logsSignal = proxied ? stopOutput.signal : AbortSignal.any([context.signal, stopOutput.signal]);
    const output = session?.output ?? engine.containers.logs(id, { stdout: true, stderr: true, follow: true, signal: logsSignal, ...(previousRunEnd ? { since: previousRunEnd } : {}) });
    // With --rm the container may be gone before its logs are read to the end: its status still counts.
    const copied = copyOutput(context, output, previousRunEnd ? { after: previousRunEnd } : {}).catch((err: unknown) => {
      if (!options.autoRemove && !stopOutput.signal.aborted) throw err;
    });
    const ended = await Promise.race([copied.then(() => 'output-ended' as const), (feeding?.detached ?? new Promise<never>(() => undefined)).then(() => 'detached' as const)]);
    if (ended === 'detached') {
      stopOutput.abort();
      return { detached: true };
    }
    const result = await exited;
    if (result.error) context.stderr.write(`${context.programName}: ${result.error}\n`);
    return { status: result.statusCode };
  } finally {
    feeding?.stop();
    context.signal.removeEventListener('abort', forwardInterrupt);
    await session?.detach().catch(() => undefined);
    await stdinOnly?.detach().catch(() => undefined);
    stopResizing();
    restoreTerminal();
  }
}

/** `start`: starts containers; `-a` attaches to one and returns its status. */
export const startCommand: CommandSpec = {
  name: 'start',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Start one or more stopped containers',
  flags: [
    flag('attach', 'boolean', 'Attach STDOUT/STDERR and forward signals', { short: 'a' }),
    flag('detach-keys', 'string', 'Override the key sequence for detaching a container'),
    flag('interactive', 'boolean', "Attach container's STDIN", { short: 'i' }),
  ],
  args: { min: 1 },
  async run(context, flags, args) {
    const engine = await context.engine();
    if (flags.bool('attach') || flags.bool('interactive')) {
      if (args.length > 1) {
        context.stderr.write('Error: you cannot start and attach multiple containers at once\n');
        return 1;
      }
      const inspect = await engine.containers.inspect(args[0]!);
      const end = await attachAndStart(context, engine, inspect.id, { interactive: flags.bool('interactive'), tty: inspect.config.tty ?? false, autoRemove: inspect.hostConfig.autoRemove, detachKeys: detachKeysOf(flags) });
      return 'status' in end ? end.status : 0;
    }
    let status = 0;
    for (const target of args) {
      try {
        await engine.containers.start(target);
        context.stdout.write(`${target}\n`);
      } catch (err) {
        context.stderr.write(`${errorText(err)}\n`);
        status = 1;
      }
    }
    if (status !== 0) context.stderr.write('Error: failed to start containers: ' + args.join(', ') + '\n');
    return status;
  },
};

/** `attach`: streams a running container's output (and stdin with a terminal); its exit status. */
export const attachCommand: CommandSpec = {
  name: 'attach',
  usage: '[OPTIONS] CONTAINER',
  description: "Attach local standard input, output, and error streams to a running container",
  flags: [flag('no-stdin', 'boolean', 'Do not attach STDIN'), flag('sig-proxy', 'boolean', 'Proxy all received signals to the process', { defaultText: 'true' }), flag('detach-keys', 'string', 'Override the key sequence for detaching a container')],
  args: { min: 1, max: 1 },
  async run(context, flags, [target]) {
    const engine = await context.engine();
    const inspect = await engine.containers.inspect(target!);
    if (inspect.state.status !== 'running') {
      context.stderr.write('You cannot attach to a stopped container, start it first\n');
      return 1;
    }
    const detachKeys = detachKeysOf(flags);
    const withStdin = !flags.bool('no-stdin') && (inspect.config.openStdin ?? false);
    const session = await engine.containers.attach(inspect.id, { stdin: withStdin, stdout: true, stderr: true, signal: context.signal });
    const exited = engine.containers.wait(inspect.id, { condition: 'next-exit' });
    exited.catch(() => undefined);
    const restoreTerminal = inspect.config.tty ? enterRawMode(context) : () => undefined;
    const feeding = withStdin && context.stdin && session.stdin ? feedStdin(context, session.stdin, inspect.config.tty ? detachKeys : undefined) : undefined;
    try {
      const copied = copyOutput(context, session.output);
      const ended = await Promise.race([copied.then(() => 'output-ended' as const), (feeding?.detached ?? new Promise<never>(() => undefined)).then(() => 'detached' as const)]);
      if (ended === 'detached') {
        // docker's attach reports the detach as an error: the message and status 1.
        context.stderr.write('read escape sequence\n');
        return 1;
      }
      return (await exited).statusCode;
    } finally {
      feeding?.stop();
      await session.detach().catch(() => undefined);
      restoreTerminal();
    }
  },
};
