import type { CommandSpec } from '../command.js';
import { errorText, startFailureStatus } from '../internal/report-error.js';
import { flag } from './flag.js';
import { copyOutput, enterRawMode, followTerminalSize } from './stream-output.js';

/**
 * `exec`: runs a command in a running container; the command's exit status is the
 * CLI's (126/127 when it cannot run). `-d` starts it and returns, `-it` uses a terminal.
 */
export const execCommand: CommandSpec = {
  name: 'exec',
  usage: '[OPTIONS] CONTAINER COMMAND [ARG...]',
  description: 'Execute a command in a running container',
  flags: [
    flag('detach', 'boolean', 'Detached mode: run command in the background', { short: 'd' }),
    flag('env', 'list', 'Set environment variables', { short: 'e' }),
    flag('interactive', 'boolean', 'Keep STDIN open even if not attached', { short: 'i' }),
    flag('privileged', 'boolean', 'Give extended privileges to the command'),
    flag('tty', 'boolean', 'Allocate a pseudo-TTY', { short: 't' }),
    flag('user', 'string', 'Username or UID (format: "<name|uid>[:<group|gid>]")', { short: 'u' }),
    flag('workdir', 'string', 'Working directory inside the container', { short: 'w' }),
  ],
  args: { min: 2 },
  interspersed: false,
  async run(context, flags, [target, ...cmd]) {
    const engine = await context.engine();
    const interactive = flags.bool('interactive');
    const tty = flags.bool('tty');
    const detach = flags.bool('detach');
    const user = flags.string('user');
    const workdir = flags.string('workdir');
    let execId: string;
    try {
      ({ id: execId } = await engine.containers.exec(target!, {
        cmd,
        tty,
        attachStdin: interactive && !detach,
        attachStdout: !detach,
        attachStderr: !detach,
        privileged: flags.bool('privileged'),
        ...(flags.list('env').length > 0 ? { env: flags.list('env') } : {}),
        ...(user !== undefined ? { user } : {}),
        ...(workdir !== undefined ? { workingDir: workdir } : {}),
      }));
    } catch (err) {
      context.stderr.write(`${errorText(err)}\n`);
      return 1;
    }
    try {
      if (detach) {
        await engine.containers.execStart(execId, { detach: true });
        return 0;
      }
      const restoreTerminal = tty ? enterRawMode(context) : () => undefined;
      const stopResizing = tty && engine.containers.execResize ? followTerminalSize(context, (size) => engine.containers.execResize!(execId, size)) : () => undefined;
      try {
        const session = await engine.containers.execStart(execId, { signal: context.signal, ...(interactive && context.stdin ? { stdin: context.stdin } : {}) });
        await copyOutput(context, session.output);
        return await session.exit;
      } finally {
        stopResizing();
        restoreTerminal();
      }
    } catch (err) {
      context.stderr.write(`${errorText(err)}\n`);
      const status = startFailureStatus(err);
      return status === 125 ? 1 : status;
    }
  },
};
