import { describe, expect, it } from 'vitest';
import type { FakeProcessInfo } from '../../src/fake/fake-script.js';
import { interpretCommand } from '../../src/fake/interpret-command.js';

const info = (args: string[], extra: Partial<FakeProcessInfo> = {}): FakeProcessInfo => ({
  containerId: 'c',
  kind: 'init',
  args,
  env: ['PATH=/bin', 'NAME=world'],
  cwd: '/work',
  user: { uid: 7, gid: 8 },
  terminal: false,
  hostname: 'box',
  behindInit: false,
  ...extra,
});

const texts = (args: string[], extra?: Partial<FakeProcessInfo>) =>
  (interpretCommand(info(args, extra)).output ?? []).map((o) => `${o.stream}:${o.text}`).join('');

describe('interpretCommand', () => {
  it('knows simple commands', () => {
    expect(interpretCommand(info(['true'])).exit).toEqual({ code: 0, atMs: 0 });
    expect(interpretCommand(info(['/bin/false'])).exit).toEqual({ code: 1, atMs: 0 });
    expect(texts(['echo', 'a', 'b'])).toBe('stdout:a b\n');
    expect(texts(['echo', '-n', 'x'])).toBe('stdout:x');
    expect(texts(['pwd'])).toBe('stdout:/work\n');
    expect(texts(['hostname'])).toBe('stdout:box\n');
    expect(texts(['id'])).toBe('stdout:uid=7 gid=8\n');
    expect(texts(['env'])).toBe('stdout:PATH=/bin\nNAME=world\n');
    expect(interpretCommand(info(['sleep', '2.5'])).exit).toEqual({ code: 0, atMs: 2500 });
    expect(interpretCommand(info(['sleep', 'infinity'])).exit).toBeUndefined();
    expect(interpretCommand(info(['cat']))).toMatchObject({ stdin: 'echo' });
  });

  it('runs sh -c scripts with ; && || and redirects', () => {
    expect(texts(['sh', '-c', 'echo "hello $NAME"; echo err >&2'])).toBe('stdout:hello world\nstderr:err\n');
    expect(interpretCommand(info(['sh', '-c', 'false && echo no; echo yes'])).output).toEqual([{ stream: 'stdout', text: 'yes\n', atMs: 0 }]);
    expect(interpretCommand(info(['sh', '-c', 'false || exit 4; echo no'])).exit).toEqual({ code: 4, atMs: 0 });
    expect(interpretCommand(info(['sh', '-c', 'false'])).exit).toEqual({ code: 1, atMs: 0 });
    expect(interpretCommand(info(['sh', '-c', "echo 'a;b' && exit 300"])).exit?.code).toBe(44);
    expect(texts(['sh', '-c', 'echo hidden >/dev/null; printf "x\\n"'])).toBe('stdout:x\n');
  });

  it('times output after sleeps', () => {
    const script = interpretCommand(info(['sh', '-c', 'echo a; sleep 1; echo b; sleep 2']));
    expect(script.output).toEqual([
      { stream: 'stdout', text: 'a\n', atMs: 0 },
      { stream: 'stdout', text: 'b\n', atMs: 1000 },
    ]);
    expect(script.exit).toEqual({ code: 0, atMs: 3000 });
  });

  it('traps signals', () => {
    const script = interpretCommand(info(['sh', '-c', "trap 'exit 3' TERM INT; trap '' HUP; sleep 1000 & wait"]));
    expect(script.signals).toEqual({ SIGTERM: { exitCode: 3 }, SIGINT: { exitCode: 3 }, SIGHUP: 'ignore' });
    expect(script.exit).toEqual({ code: 0, atMs: 1_000_000 });
  });

  it('reports unknown commands as a shell does', () => {
    const script = interpretCommand(info(['sh', '-c', 'frobnicate']));
    expect(script.output).toEqual([{ stream: 'stderr', text: 'sh: frobnicate: not found\n', atMs: 0 }]);
    expect(script.exit?.code).toBe(127);
  });

  it('waits for a line of stdin at `read`; prints the terminal size at `stty size` when it is due', () => {
    const script = interpretCommand(info(['sh', '-c', 'echo before; read line; stty size; exit 4'], { terminal: true }));
    const [before, size] = script.output ?? [];
    expect(before).toEqual({ stream: 'stdout', text: 'before\n', atMs: 0 });
    expect(size).toMatchObject({ stream: 'stdout', afterInputLines: 1 });
    const text = size!.text as (view: { terminalSize: { width: number; height: number } | undefined }) => string;
    expect(text({ terminalSize: { width: 100, height: 40 } })).toBe('40 100\n');
    expect(script.exit).toEqual({ code: 4, atMs: 0, afterInputLines: 1 });
    expect(texts(['stty', 'size'])).toBe('stderr:stty: standard input: Not a tty\n');
  });

  it('merges streams with a terminal; PID 1 ignores signals unless behind an init', () => {
    expect(texts(['sh', '-c', 'echo e >&2'], { terminal: true })).toBe('stdout:e\n');
    expect(interpretCommand(info(['sleep', '5'])).ignoresUnhandledSignals).toBe(true);
    expect(interpretCommand(info(['sleep', '5'], { behindInit: true })).ignoresUnhandledSignals).toBe(false);
    expect(interpretCommand(info(['sleep', '5'], { kind: 'exec' })).ignoresUnhandledSignals).toBe(false);
    expect(interpretCommand(info(['redis-server']))).toEqual({ ignoresUnhandledSignals: false });
    expect(interpretCommand(info(['sh']))).toEqual({ stdin: 'consume', ignoresUnhandledSignals: true });
  });
});
