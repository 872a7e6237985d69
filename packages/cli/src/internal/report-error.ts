import { isBerthError, isUnavailable } from '@berth/errdefs';
import type { CliContext } from '../command.js';

/**
 * How docker words a failed call: `Error response from daemon: …` for what the engine
 * refused, the plain message for what never reached it.
 */
export function errorText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (isBerthError(err) && !isUnavailable(err)) return `Error response from daemon: ${message}`;
  return message.startsWith('Error') ? message : `Error: ${message}`;
}

/** Writes {@link errorText} to stderr; resolves to docker's status 1. */
export function reportError(context: CliContext, err: unknown): number {
  context.stderr.write(`${errorText(err)}\n`);
  return 1;
}

/**
 * docker's per-object loop (`rm a b c`, `stop a b`): each success prints `print(name)`,
 * each failure its error; status 1 if any failed.
 */
export async function forEachTarget(context: CliContext, targets: readonly string[], action: (target: string) => Promise<string | undefined>): Promise<number> {
  let status = 0;
  for (const target of targets) {
    try {
      const printed = await action(target);
      if (printed !== undefined) context.stdout.write(`${printed}\n`);
    } catch (err) {
      status = reportError(context, err);
    }
  }
  return status;
}

/** docker's `run`/`start` statuses for a start that failed: 127 missing program, 126 cannot invoke, else 125. */
export function startFailureStatus(err: unknown): number {
  const message = err instanceof Error ? err.message : String(err);
  const details = (err as { details?: Record<string, unknown> } | undefined)?.details ?? {};
  if (typeof details.exitCode === 'number' && (details.exitCode === 126 || details.exitCode === 127)) return details.exitCode;
  if (/executable file not found|no such file or directory|system cannot find the file/i.test(message)) return 127;
  if (/permission denied|not executable|exec format error/i.test(message)) return 126;
  return 125;
}
