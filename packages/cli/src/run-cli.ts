import type { Writable } from 'node:stream';
import type { Engine } from '@berth/engine';
import { createEngineClient } from '@berth/engine-client';
import type { CliContext, CliInput, CliOutput, CommandSpec, FlagSpec } from './command.js';
import { COMMANDS, findCommand } from './commands/command-table.js';
import { flag } from './commands/flag.js';
import { commandHelp, programHelp } from './help.js';
import { reportError } from './internal/report-error.js';
import { UsageError } from './internal/usage-error.js';
import { parseArgs } from './parse-args.js';
import { CLI_VERSION } from './version.js';

/** Options of {@link runCli}: where it reads and writes, and which engine it drives. */
export interface RunCliOptions {
  /** The engine to drive (tests: `createMemoryEngine()`); left open. Without it the CLI connects. */
  engine?: Engine;
  /** How to connect when no `engine` is given (default: `createEngineClient({ host })`, which honours `DOCKER_HOST`). Closed at the end. */
  connect?: (host: string | undefined, env: Readonly<Record<string, string | undefined>>) => Engine | Promise<Engine>;
  stdout?: CliOutput;
  stderr?: Writable;
  stdin?: CliInput;
  /** Environment (`DOCKER_HOST`, `DOCKER_CONFIG`, values of `-e KEY`); default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Clock for relative times; default the system clock. */
  now?: () => Date;
  /** Name in messages and help (default `berth`). */
  programName?: string;
  /** Aborting ends a streaming command (`logs -f`, `events`, `stats`) with status 0. */
  signal?: AbortSignal;
}

/** The options before the command (`berth -H unix:///run/berth.sock ps`). */
export const GLOBAL_FLAGS: readonly FlagSpec[] = [
  flag('config', 'string', 'Location of client config files', { defaultText: '"~/.docker"' }),
  flag('context', 'string', 'Name of the context to use (accepted; only the default context exists)', { short: 'c' }),
  flag('debug', 'boolean', 'Enable debug mode', { short: 'D' }),
  flag('host', 'list', 'Daemon socket to connect to', { short: 'H' }),
  flag('log-level', 'string', 'Set the logging level ("debug", "info", "warn", "error", "fatal")', { short: 'l', defaultText: '"info"' }),
  flag('version', 'boolean', 'Print version information and quit', { short: 'v' }),
];

const PROGRAM: CommandSpec = { name: '', usage: '[OPTIONS] COMMAND', description: 'berth', flags: GLOBAL_FLAGS, interspersed: false };

/**
 * Runs one `berth` command line (without the program name) and resolves to its exit
 * status, docker's: 0 success, 1 a refused operation, 125 a bad command line or a `run`
 * that could not start the container (126 cannot invoke, 127 not found), otherwise the
 * container's or exec's own status. Output goes to the given streams; nothing touches the
 * process (no `process.exit`), so tests run it in-process against any engine.
 */
export async function runCli(argv: readonly string[], options: RunCliOptions = {}): Promise<number> {
  const programName = options.programName ?? 'berth';
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const env = options.env ?? process.env;
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) controller.abort();
  let connected: Engine | undefined;
  let host: string | undefined;
  let connecting: Promise<Engine> | undefined;
  const context: CliContext = {
    stdout,
    stderr,
    stdin: options.stdin,
    env,
    now: options.now ?? (() => new Date()),
    programName,
    signal: controller.signal,
    engine: () => {
      if (options.engine) return Promise.resolve(options.engine);
      connecting ??= Promise.resolve((options.connect ?? defaultConnect)(host, env)).then((engine) => (connected = engine));
      return connecting;
    },
  };
  try {
    const global = parseArgs(PROGRAM, argv, programName);
    host = global.flags.list('host').at(-1);
    const config = global.flags.string('config');
    if (config !== undefined) (context as { env: Record<string, string | undefined> }).env = { ...env, DOCKER_CONFIG: config };
    if (global.flags.bool('version')) {
      stdout.write(`Berth version ${CLI_VERSION}\n`);
      return 0;
    }
    const [name, ...rest] = global.args;
    if (name === undefined || global.help) {
      stdout.write(programHelp(programName, COMMANDS, GLOBAL_FLAGS));
      return 0;
    }
    if (name === 'help') {
      const target = rest[0] === undefined ? undefined : findCommand(COMMANDS, rest[0]);
      stdout.write(target ? commandHelp(programName, target.name, target) : programHelp(programName, COMMANDS, GLOBAL_FLAGS));
      return 0;
    }
    return await dispatch(context, COMMANDS, name, rest, '');
  } catch (err) {
    if (err instanceof UsageError) {
      stderr.write(`${programName}: ${err.message}\nSee '${err.commandPath} --help'.\n`);
      return 125;
    }
    if (controller.signal.aborted) return 0;
    return reportError(context, err);
  } finally {
    controller.abort();
    options.signal?.removeEventListener('abort', onAbort);
    if (connected) await connected.close().catch(() => undefined);
  }
}

async function dispatch(context: CliContext, commands: readonly CommandSpec[], name: string, argv: readonly string[], parentPath: string): Promise<number> {
  const { programName } = context;
  const path = parentPath === '' ? name : `${parentPath} ${name}`;
  const command = findCommand(commands, name);
  if (!command) {
    context.stderr.write(`${programName}: '${path}' is not a ${programName} command.\nSee '${programName} --help'\n`);
    return 1;
  }
  if (command.subcommands) {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === '--help' || sub === '-h') {
      context.stdout.write(commandHelp(programName, path, command));
      return 0;
    }
    if (sub.startsWith('-')) {
      context.stderr.write(`${programName}: unknown flag: ${sub}\nSee '${programName} ${path} --help'.\n`);
      return 125;
    }
    return dispatch(context, command.subcommands, sub, rest, path);
  }
  let parsed;
  try {
    parsed = parseArgs(command, argv, `${programName} ${path}`);
  } catch (err) {
    if (err instanceof UsageError) {
      context.stderr.write(`${programName}: ${err.message}\nSee '${programName} ${path} --help'.\n`);
      if (err.showUsage) context.stderr.write(`\nUsage:  ${programName} ${path} ${command.usage}\n\n${command.description}\n`);
      return 125;
    }
    throw err;
  }
  if (parsed.help) {
    context.stdout.write(commandHelp(programName, path, command));
    return 0;
  }
  return command.run!(context, parsed.flags, parsed.args);
}

function defaultConnect(host: string | undefined): Engine {
  return createEngineClient(host === undefined ? {} : { host });
}
