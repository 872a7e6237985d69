import { describe, expect, it } from 'vitest';
import { isUnavailable } from '@berth/errdefs';
import { runProgram } from '@berth/program';
import { makeTempDir } from '@berth/testkit';

describe('runProgram', () => {
  it('reports the exit code, stdout as bytes and stderr as text', async () => {
    const result = await runProgram('sh', ['-c', 'printf "out\\377"; printf "err\\n" >&2; exit 3']);
    expect(result.code).toBe(3);
    expect(result.signal).toBeNull();
    expect([...result.stdout]).toEqual([...Buffer.from('out'), 0xff]);
    expect(result.stderr).toBe('err\n');
  });

  it('does not reject for a non-zero exit, and reports a fatal signal', async () => {
    const result = await runProgram('sh', ['-c', 'kill -TERM $$']);
    expect(result.code).toBeNull();
    expect(result.signal).toBe('SIGTERM');
  });

  it('feeds the input on stdin and closes it', async () => {
    const result = await runProgram('cat', [], { input: 'hello\nworld' });
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toBe('hello\nworld');
    const bytes = await runProgram('wc', ['-c'], { input: new Uint8Array(1000) });
    expect(bytes.stdout.toString().trim()).toBe('1000');
  });

  it('gives the program an empty stdin when there is no input', async () => {
    const result = await runProgram('wc', ['-c']);
    expect(result.stdout.toString().trim()).toBe('0');
  });

  it('ignores a program that exits without reading its (large) input', async () => {
    const result = await runProgram('sh', ['-c', 'exit 7'], { input: Buffer.alloc(4 * 1024 * 1024) });
    expect(result.code).toBe(7);
  });

  it('runs in cwd with env', async () => {
    const dir = await makeTempDir('berth-program');
    try {
      const result = await runProgram('sh', ['-c', 'pwd; echo "$BERTH_PROGRAM_TEST"'], {
        cwd: dir.path,
        env: { PATH: process.env['PATH'], BERTH_PROGRAM_TEST: 'from-env' },
      });
      expect(result.stdout.toString()).toBe(`${dir.path}\nfrom-env\n`);
    } finally {
      await dir.remove();
    }
  });

  it('keeps only the first 64 KiB of stderr', async () => {
    const result = await runProgram('sh', ['-c', 'head -c 200000 /dev/zero | tr "\\0" a >&2; echo done']);
    expect(result.stderr.length).toBe(64 * 1024);
    expect(result.stderr).toMatch(/^a+$/);
    expect(result.stdout.toString()).toBe('done\n');
  });

  it('rejects with Unavailable naming the Debian package when the program is not installed', async () => {
    const error = await runProgram('berth-no-such-program', [], { packageName: 'berth-tools' }).catch((err: unknown) => err);
    expect(isUnavailable(error)).toBe(true);
    expect((error as Error).message).toBe('cannot run berth-no-such-program: not installed (install the Debian package "berth-tools")');
    const bare = await runProgram('berth-no-such-program', []).catch((err: unknown) => err);
    expect((bare as Error).message).toBe('cannot run berth-no-such-program: not installed');
  });

  it('kills the program with SIGKILL and rejects with the abort reason when the signal aborts', async () => {
    const controller = new AbortController();
    const reason = new Error('stop it');
    // The program ignores SIGTERM: only SIGKILL ends it before its sleep does.
    const running = runProgram('sh', ['-c', 'trap "" TERM; echo started; exec sleep 600'], { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort(reason);
    await expect(running).rejects.toBe(reason);
  });

  it('rejects at once with the reason of an already aborted signal', async () => {
    const reason = new Error('aborted before');
    await expect(runProgram('true', [], { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });
});
