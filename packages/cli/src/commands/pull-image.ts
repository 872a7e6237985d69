import type { Engine, ImagePullHandle, ImagePushHandle } from '@berth/engine';
import { dockerConfigCredentials } from '@berth/registry-client';
import type { CliContext } from '../command.js';
import { writePullProgress, writePushProgress } from '../format/progress.js';

/**
 * Pulls `reference`, showing docker's progress on `out` (bars on a terminal, plain lines
 * otherwise, nothing when `quiet`), and prints the digest and status lines as docker does.
 */
export async function pullImage(context: CliContext, engine: Engine, reference: string, options: { quiet?: boolean; platform?: string; out?: CliContext['stdout'] } = {}): Promise<void> {
  const out = options.out ?? context.stdout;
  const handle: ImagePullHandle = engine.images.pull(reference, { signal: context.signal, auth: credentialsOf(context), ...(options.platform ? { platform: options.platform } : {}) });
  if (options.quiet) {
    out.write(`${(await handle.done).reference}\n`);
    return;
  }
  const [result, shown] = await Promise.all([handle.done, writePullProgress(out, handle.progress, reference)]);
  out.write(`Digest: ${result.digest}\n`);
  out.write(`Status: ${shown.downloaded ? 'Downloaded newer image for' : 'Image is up to date for'} ${result.reference}\n`);
  out.write(`${result.reference}\n`);
}

/** Pushes `reference` with progress; prints docker's final `TAG: digest: … size: …` line. */
export async function pushImage(context: CliContext, engine: Engine, reference: string, options: { quiet?: boolean } = {}): Promise<void> {
  const handle: ImagePushHandle = engine.images.push(reference, { signal: context.signal, auth: credentialsOf(context) });
  const [result] = await Promise.all([handle.done, options.quiet ? undefined : writePushProgress(context.stdout, handle.progress, reference)]);
  const tag = reference.includes('@') ? reference.split('@')[1]! : /:[^/]+$/.test(reference) ? reference.slice(reference.lastIndexOf(':') + 1) : 'latest';
  context.stdout.write(options.quiet ? `${result.reference}\n` : `${tag}: digest: ${result.digest} size: ${result.size}\n`);
}

/** Credentials stored by `berth login` (docker's `config.json`), sent with each pull and push as docker's CLI does. */
function credentialsOf(context: CliContext) {
  return dockerConfigCredentials({ env: { ...context.env } });
}
