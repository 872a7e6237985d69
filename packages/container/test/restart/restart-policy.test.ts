import { describe, expect, it } from 'vitest';
import {
  RESTART_MAX_DELAY_MS,
  decideRestart,
  nextRestartDelay,
  parseRestartPolicy,
  shouldStartOnEngineStart,
} from '../../src/restart/restart-policy.js';

const exit = (exitCode: number, extra: Partial<Parameters<typeof decideRestart>[1]> = {}) => ({
  exitCode,
  ranForMs: 500,
  restartCount: 0,
  previousDelayMs: 0,
  ...extra,
});

describe('parseRestartPolicy', () => {
  it('parses docker syntax', () => {
    expect(parseRestartPolicy('no')).toEqual({ name: 'no' });
    expect(parseRestartPolicy('')).toEqual({ name: 'no' });
    expect(parseRestartPolicy('always')).toEqual({ name: 'always' });
    expect(parseRestartPolicy('unless-stopped')).toEqual({ name: 'unless-stopped' });
    expect(parseRestartPolicy('on-failure')).toEqual({ name: 'on-failure' });
    expect(parseRestartPolicy('on-failure:5')).toEqual({ name: 'on-failure', maximumRetryCount: 5 });
  });

  it('refuses bad policies with docker’s words', () => {
    expect(() => parseRestartPolicy('always:3')).toThrow("maximum retry count can only be used with 'on-failure'");
    expect(() => parseRestartPolicy('on-failure:-1')).toThrow('maximum retry count can not be negative');
    expect(() => parseRestartPolicy('sometimes')).toThrow(/unknown policy 'sometimes'/);
    expect(() => parseRestartPolicy('on-failure:x')).toThrow(/must be an integer/);
  });
});

describe('decideRestart', () => {
  it('never restarts with no policy or `no`', () => {
    expect(decideRestart(undefined, exit(1))).toEqual({ restart: false });
    expect(decideRestart({ name: 'no' }, exit(1))).toEqual({ restart: false });
  });

  it('always restarts with `always`, whatever the exit code', () => {
    expect(decideRestart({ name: 'always' }, exit(0))).toEqual({ restart: true, delayMs: 100, restartCount: 1 });
  });

  it('on-failure restarts on non-zero exits up to its maximum', () => {
    const policy = { name: 'on-failure' as const, maximumRetryCount: 2 };
    expect(decideRestart(policy, exit(0))).toEqual({ restart: false });
    expect(decideRestart(policy, exit(1, { restartCount: 1 }))).toMatchObject({ restart: true, restartCount: 2 });
    expect(decideRestart(policy, exit(1, { restartCount: 2 }))).toEqual({ restart: false });
    expect(decideRestart({ name: 'on-failure' }, exit(1, { restartCount: 1000 }))).toMatchObject({ restart: true });
  });

  it('does not restart after an explicit stop or during shutdown', () => {
    expect(decideRestart({ name: 'always' }, exit(137, { restartCanceled: true }))).toEqual({ restart: false });
    expect(decideRestart({ name: 'always' }, exit(1, { engineShuttingDown: true }))).toEqual({ restart: false });
    expect(decideRestart({ name: 'unless-stopped' }, exit(1, { manuallyStopped: true }))).toEqual({ restart: false });
    expect(decideRestart({ name: 'always' }, exit(1, { manuallyStopped: true }))).toMatchObject({ restart: true });
  });

  it('backs off 100 ms doubling to a 1 min cap, reset after 10 s of running', () => {
    const delays: number[] = [];
    let previous = 0;
    for (let i = 0; i < 12; i++) {
      const decision = decideRestart({ name: 'always' }, exit(1, { previousDelayMs: previous, restartCount: i }));
      if (!decision.restart) throw new Error('expected a restart');
      delays.push(decision.delayMs);
      previous = decision.delayMs;
    }
    expect(delays.slice(0, 5)).toEqual([100, 200, 400, 800, 1600]);
    expect(delays.at(-1)).toBe(RESTART_MAX_DELAY_MS);
    expect(nextRestartDelay(51_200, 500)).toBe(RESTART_MAX_DELAY_MS);
    expect(nextRestartDelay(RESTART_MAX_DELAY_MS, 10_000)).toBe(100);
    expect(nextRestartDelay(800, 9_999)).toBe(1600);
  });
});

describe('shouldStartOnEngineStart', () => {
  it('brings back always, unless-stopped unless stopped, failed on-failure', () => {
    const facts = { exitCode: 0, manuallyStopped: true, restartCount: 0 };
    expect(shouldStartOnEngineStart({ name: 'always' }, facts)).toBe(true);
    expect(shouldStartOnEngineStart({ name: 'unless-stopped' }, facts)).toBe(false);
    expect(shouldStartOnEngineStart({ name: 'unless-stopped' }, { ...facts, manuallyStopped: false })).toBe(true);
    expect(shouldStartOnEngineStart({ name: 'on-failure' }, facts)).toBe(false);
    expect(shouldStartOnEngineStart({ name: 'on-failure', maximumRetryCount: 1 }, { ...facts, exitCode: 2 })).toBe(true);
    expect(shouldStartOnEngineStart({ name: 'no' }, facts)).toBe(false);
  });
});
