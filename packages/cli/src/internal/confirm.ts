import type { CliContext } from '../command.js';

/**
 * docker's prune prompt: prints `warning` and `Are you sure you want to continue? [y/N] `,
 * reads one line of stdin; only `y`/`yes` agrees. No stdin means no.
 */
export async function confirm(context: CliContext, warning: string): Promise<boolean> {
  context.stdout.write(`${warning}\nAre you sure you want to continue? [y/N] `);
  const stdin = context.stdin;
  if (!stdin) return false;
  const answer = await new Promise<string>((resolve) => {
    let text = '';
    const onData = (chunk: Buffer | string) => {
      text += chunk.toString();
      if (text.includes('\n')) finish();
    };
    const finish = () => {
      stdin.off('data', onData);
      stdin.off('end', finish);
      stdin.pause();
      resolve(text.split('\n')[0]!.trim());
    };
    stdin.on('data', onData);
    stdin.once('end', finish);
  });
  return /^y(es)?$/i.test(answer);
}
