import { z } from 'zod';
import {
  type BerthError,
  FailedPreconditionError,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  UnavailableError,
  isUnavailable,
} from '@berth/errdefs';
import { runProgram } from '@berth/program';

/** What `runc state` prints. */
const runcStateSchema = z.looseObject({
  id: z.string(),
  pid: z.number().int(),
  status: z.enum(['creating', 'created', 'running', 'paused', 'stopped']),
  bundle: z.string(),
  created: z.string().optional(),
  annotations: z.record(z.string(), z.string()).nullish(),
});
/** A container as runc reports it. */
export type RuncState = z.infer<typeof runcStateSchema>;

/** The last line of runc's error output, without its `time=… level=error msg=` decoration. */
function runcMessage(stderr: string): string {
  const lines = stderr.trim().split('\n').filter((l) => l.trim() !== '');
  const last = lines.at(-1) ?? '';
  const msg = /msg="((?:[^"\\]|\\.)*)"/.exec(last);
  return (msg ? msg[1]!.replace(/\\"/g, '"') : last).trim();
}

/**
 * Maps a failed runc command to the error taxonomy by what runc said: a missing
 * container is `NotFound`, a wrong state `FailedPrecondition`, a process that cannot be
 * run `InvalidArgument` (with docker's exit code in `details.exitCode`: 127 not found,
 * 126 not executable), anything else `Internal`.
 */
export function runcError(action: string, id: string, stderr: string): BerthError {
  const message = runcMessage(stderr) || 'no error output';
  const text = `${action} ${id}: ${message}`;
  if (/does not exist|not found in runc root|no such container/i.test(message) && !/executable|exec:/.test(message)) {
    return new NotFoundError(`container ${id} does not exist in the runtime`, { details: { id }, cause: new Error(text) });
  }
  if (/executable file not found|no such file or directory/i.test(message)) {
    return new InvalidArgumentError(text, { details: { id, exitCode: 127 } });
  }
  if (/permission denied|exec format error/i.test(message)) return new InvalidArgumentError(text, { details: { id, exitCode: 126 } });
  if (/not running|not paused|already paused|cannot start|already running|is stopped|is paused|not created|cannot delete|not stopped/i.test(message)) {
    return new FailedPreconditionError(text, { details: { id } });
  }
  if (/signal|invalid argument/i.test(message)) return new InvalidArgumentError(text, { details: { id } });
  return new InternalError(text, { details: { id } });
}

/** The runc command line, bound to one state root. */
export class RuncCli {
  constructor(
    readonly path: string,
    readonly root: string,
  ) {}

  /** Global options every call starts with. */
  globalArgs(): string[] {
    return ['--root', this.root];
  }

  private async run(action: string, id: string, args: string[], signal?: AbortSignal): Promise<string> {
    let result;
    try {
      result = await runProgram(this.path, [...this.globalArgs(), ...args], { signal });
    } catch (err) {
      const cause = (err as { cause?: NodeJS.ErrnoException }).cause;
      if (isUnavailable(err) && cause?.code === 'ENOENT') {
        throw new UnavailableError(`runc is not installed at ${this.path}`, { cause });
      }
      throw err;
    }
    // A runc killed by a signal has no exit code: that is a failure too.
    if (result.code !== 0) throw runcError(action, id, result.stderr);
    return result.stdout.toString('utf8');
  }

  async state(id: string): Promise<RuncState> {
    const out = await this.run('state of', id, ['state', id]);
    return runcStateSchema.parse(JSON.parse(out));
  }

  async list(): Promise<RuncState[]> {
    const out = await this.run('list', '', ['list', '--format', 'json']);
    const parsed = z.array(runcStateSchema).nullable().parse(JSON.parse(out.trim() || 'null'));
    return parsed ?? [];
  }

  async start(id: string): Promise<void> {
    await this.run('starting', id, ['start', id]);
  }

  async kill(id: string, signal: number, all = false): Promise<void> {
    await this.run('signalling', id, ['kill', ...(all ? ['--all'] : []), id, String(signal)]);
  }

  async pause(id: string): Promise<void> {
    await this.run('pausing', id, ['pause', id]);
  }

  async resume(id: string): Promise<void> {
    await this.run('resuming', id, ['resume', id]);
  }

  async delete(id: string, force = false): Promise<void> {
    await this.run('deleting', id, ['delete', ...(force ? ['--force'] : []), id]);
  }

  /** `runc update --resources <file> <id>`: the file holds OCI `linux.resources` JSON. */
  async update(id: string, resourcesFile: string): Promise<void> {
    await this.run('updating', id, ['update', '--resources', resourcesFile, id]);
  }

  /** `runc ps <id> <psArgs>`: the host's `ps` output, filtered to the container's processes. */
  async ps(id: string, psArgs: readonly string[]): Promise<string> {
    return this.run('listing processes of', id, ['ps', id, ...psArgs]);
  }
}

/** Parses `ps` table output: the header gives the titles; the last column (CMD) keeps its spaces. */
export function parsePsTable(output: string): { titles: string[]; processes: string[][] } {
  const lines = output.split('\n').filter((l) => l.trim() !== '');
  const titles = (lines[0] ?? '').trim().split(/\s+/).filter((t) => t !== '');
  if (titles.length === 0) throw new InternalError('ps printed no header');
  const processes = lines.slice(1).map((line) => {
    const fields = line.trim().split(/\s+/);
    if (fields.length <= titles.length) return fields;
    return [...fields.slice(0, titles.length - 1), fields.slice(titles.length - 1).join(' ')];
  });
  return { titles, processes };
}
