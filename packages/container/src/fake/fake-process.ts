import { parseSignal } from '../config/signals.js';
import type { Clock } from '../clock/clock.js';
import type { LogStream } from '../logs/log-line.js';
import type { ExitStatus, TerminalSize } from '../runtime/oci-runtime.js';
import type { FakeProcessScript } from './fake-script.js';

/** Signals whose default action is to do nothing. */
const ignoredByDefault = new Set(['SIGCHLD', 'SIGCONT', 'SIGURG', 'SIGWINCH', 'SIGSTOP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU']);

interface Step {
  atMs: number;
  /** Lines of stdin the step waits for. */
  afterLines: number;
  run: () => void;
}

/** Where a fake process's output and end go. */
export interface FakeProcessSink {
  output(stream: LogStream, data: Buffer): void;
  /** Called once, when the process has exited. */
  exited(status: ExitStatus): void;
}

/**
 * A simulated process: plays its script on the clock (output, exit, OOM), reacts to
 * signals, stdin, pause and resume. Running time excludes paused time.
 */
export class FakeProcess {
  status: 'created' | 'running' | 'paused' | 'exited' = 'created';
  exitStatus: ExitStatus | undefined;
  startedAt: Date | undefined;
  /** The size of its terminal, as last resized. */
  terminalSize: TerminalSize | undefined;
  /** Lines that arrived on stdin so far. */
  private linesRead = 0;
  private readonly steps: Step[] = [];
  private cancelTimer: (() => void) | undefined;
  private pausedAt: number | undefined;
  private pausedTotal = 0;
  private readonly pendingSignals: string[] = [];
  private stdinEnded = false;
  private readonly exitedPromise: Promise<ExitStatus>;
  private resolveExited!: (status: ExitStatus) => void;

  constructor(
    readonly pid: number,
    private readonly script: FakeProcessScript,
    private readonly clock: Clock,
    private readonly sink: FakeProcessSink,
    /** Whether stdin is connected; without it, stdin is at its end from the start. */
    private readonly hasStdin: boolean,
  ) {
    this.exitedPromise = new Promise((resolve) => (this.resolveExited = resolve));
  }

  /** Resolves with the exit status once the process has exited. */
  get exited(): Promise<ExitStatus> {
    return this.exitedPromise;
  }

  /** Starts playing the script. */
  start(): void {
    if (this.status !== 'created') return;
    this.status = 'running';
    this.startedAt = this.clock.now();
    for (const out of this.script.output ?? []) {
      const { text } = out;
      this.steps.push({
        atMs: out.atMs ?? 0,
        afterLines: out.afterInputLines ?? 0,
        run: () => this.sink.output(out.stream ?? 'stdout', Buffer.from(typeof text === 'string' ? text : text({ terminalSize: this.terminalSize }))),
      });
    }
    const lastOutput = Math.max(0, ...(this.script.output ?? []).map((o) => o.atMs ?? 0));
    const lastLines = Math.max(0, ...(this.script.output ?? []).map((o) => o.afterInputLines ?? 0));
    if (this.script.exit) {
      const code = this.script.exit.code;
      this.steps.push({
        atMs: this.script.exit.atMs ?? lastOutput,
        afterLines: this.script.exit.afterInputLines ?? lastLines,
        run: () => this.finish(code, false),
      });
    }
    if (this.script.oomAtMs !== undefined) this.steps.push({ atMs: this.script.oomAtMs, afterLines: 0, run: () => this.finish(137, true) });
    // Stable: steps at the same time keep their order (output before the exit); a step
    // waiting for input keeps those after it waiting too, as a shell blocked in `read`.
    this.steps.sort((a, b) => a.afterLines - b.afterLines || a.atMs - b.atMs);
    if (!this.hasStdin) this.endStdin();
    this.schedule();
  }

  /** Running time so far, ms (paused time excluded). */
  runningMs(): number {
    if (!this.startedAt) return 0;
    const end = this.exitStatus?.exitedAt.getTime() ?? this.pausedAt ?? this.clock.now().getTime();
    return end - this.startedAt.getTime() - this.pausedTotal;
  }

  private schedule(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    if (this.status !== 'running') return;
    const next = this.steps[0];
    if (!next || !this.inputReady(next)) return;
    const delay = next.atMs - this.runningMs();
    const fire = () => {
      this.cancelTimer = undefined;
      if (this.status !== 'running') return;
      // Run every step that is due, then wait for the next.
      while (this.steps.length > 0 && this.steps[0]!.atMs <= this.runningMs() && this.inputReady(this.steps[0]!) && this.status === 'running') {
        this.steps.shift()!.run();
      }
      this.schedule();
    };
    if (delay <= 0) {
      // Due now: run soon, without needing the clock to move.
      const handle = setImmediate(fire);
      this.cancelTimer = () => clearImmediate(handle);
    } else {
      this.cancelTimer = this.clock.setTimer(delay, fire);
    }
  }

  private inputReady(step: Step): boolean {
    return this.stdinEnded || step.afterLines <= this.linesRead;
  }

  /** Delivers a signal; SIGKILL always kills, a paused process gets others when resumed. */
  signal(signal: string | number): void {
    if (this.status === 'exited') return;
    const { name, number } = parseSignal(signal);
    if (name === 'SIGKILL') {
      this.finish(137, false);
      return;
    }
    if (this.status === 'created') {
      // Not started yet: nothing handles it.
      this.finish(128 + number, false);
      return;
    }
    if (this.status === 'paused') {
      this.pendingSignals.push(name);
      return;
    }
    const action = this.script.signals?.[name];
    if (action === 'ignore') return;
    if (action) {
      this.finish(action.exitCode, false);
      return;
    }
    if (this.script.ignoresUnhandledSignals || ignoredByDefault.has(name)) return;
    this.finish(128 + number, false);
  }

  pause(): void {
    if (this.status !== 'running') return;
    this.status = 'paused';
    this.pausedAt = this.clock.now().getTime();
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  resume(): void {
    if (this.status !== 'paused') return;
    this.status = 'running';
    this.pausedTotal += this.clock.now().getTime() - this.pausedAt!;
    this.pausedAt = undefined;
    for (const signal of this.pendingSignals.splice(0)) this.signal(signal);
    if (this.stdinEnded && this.script.stdin) this.finish(0, false);
    this.schedule();
  }

  /** Data arriving on stdin. */
  writeStdin(data: Buffer): void {
    if (this.status !== 'running' || this.stdinEnded) return;
    if (this.script.stdin === 'echo') this.sink.output('stdout', data);
    const lines = data.reduce((count, byte) => count + (byte === 0x0a ? 1 : 0), 0);
    if (lines > 0) {
      this.linesRead += lines;
      this.schedule();
    }
  }

  /** Stdin reached its end: a process reading stdin exits 0. */
  endStdin(): void {
    if (this.stdinEnded) return;
    this.stdinEnded = true;
    // Whatever waited for input goes on (a `read` at the end of input).
    const next = this.steps[0];
    if (this.status === 'running' && next && next.afterLines > this.linesRead) this.schedule();
    if (this.script.stdin && this.status === 'running') {
      // After output already due, like a real reader that drains first.
      setImmediate(() => {
        if (this.status === 'running') this.finish(0, false);
      });
    }
  }

  /** Ends the process now (container teardown, OOM, exit step). */
  finish(exitCode: number, oomKilled: boolean): void {
    if (this.status === 'exited') return;
    this.status = 'exited';
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    if (this.pausedAt !== undefined) {
      this.pausedTotal += this.clock.now().getTime() - this.pausedAt;
      this.pausedAt = undefined;
    }
    this.steps.length = 0;
    this.exitStatus = { exitCode, exitedAt: this.clock.now(), oomKilled };
    this.sink.exited(this.exitStatus);
    this.resolveExited(this.exitStatus);
  }
}
