import { describe, expect, it } from 'vitest';
import { parseSignal, signalExitCode } from '../../src/config/signals.js';

describe('parseSignal', () => {
  it('parses names, short names, numbers and realtime signals', () => {
    expect(parseSignal('SIGTERM')).toEqual({ name: 'SIGTERM', number: 15 });
    expect(parseSignal('kill')).toEqual({ name: 'SIGKILL', number: 9 });
    expect(parseSignal(2)).toEqual({ name: 'SIGINT', number: 2 });
    expect(parseSignal('10')).toEqual({ name: 'SIGUSR1', number: 10 });
    expect(parseSignal('SIGRTMIN+3')).toEqual({ name: 'SIGRTMIN+3', number: 37 });
    expect(parseSignal('RTMAX-1')).toEqual({ name: 'SIGRTMIN+29', number: 63 });
    expect(parseSignal('SIGIOT').name).toBe('SIGABRT');
  });

  it('refuses unknown signals', () => {
    expect(() => parseSignal('SIGFOO')).toThrow('Invalid signal: SIGFOO');
    expect(() => parseSignal(0)).toThrow(/Invalid signal/);
    expect(() => parseSignal(65)).toThrow(/Invalid signal/);
    expect(() => parseSignal('SIGRTMAX+1')).toThrow(/Invalid signal/);
  });

  it('gives the shell exit code of a signal', () => {
    expect(signalExitCode('SIGKILL')).toBe(137);
    expect(signalExitCode('TERM')).toBe(143);
  });
});
