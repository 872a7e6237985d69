import { InvalidArgumentError } from '@berth/errdefs';

/** Linux signal numbers (x86-64 and arm64 agree on these), by name with the `SIG` prefix. */
const signalNumbers: Readonly<Record<string, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGIOT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGSTKFLT: 16,
  SIGCHLD: 17,
  SIGCLD: 17,
  SIGCONT: 18,
  SIGSTOP: 19,
  SIGTSTP: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGURG: 23,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGWINCH: 28,
  SIGIO: 29,
  SIGPOLL: 29,
  SIGPWR: 30,
  SIGSYS: 31,
};

const SIGRTMIN = 34;
const SIGRTMAX = 64;

/** A signal, by its canonical name and number. */
export interface Signal {
  /** `SIGTERM`, `SIGRTMIN+3`, … */
  name: string;
  number: number;
}

function nameOf(number: number): string {
  if (number >= SIGRTMIN && number <= SIGRTMAX) {
    return number === SIGRTMIN ? 'SIGRTMIN' : number === SIGRTMAX ? 'SIGRTMAX' : `SIGRTMIN+${number - SIGRTMIN}`;
  }
  // The first name listed wins (SIGABRT over SIGIOT).
  for (const [name, value] of Object.entries(signalNumbers)) if (value === number) return name;
  return `SIG${number}`;
}

/**
 * Parses a signal as docker does: a number (`9`), a name with or without `SIG` in any
 * case (`term`, `SIGTERM`), or a realtime one (`SIGRTMIN+3`, `RTMAX-1`).
 * `InvalidArgument` ("Invalid signal: X") for anything else.
 */
export function parseSignal(input: string | number): Signal {
  const invalid = () => new InvalidArgumentError(`Invalid signal: ${input}`);
  if (typeof input === 'number' || /^\d+$/.test(input)) {
    const number = Number(input);
    if (!Number.isInteger(number) || number < 1 || number > SIGRTMAX) throw invalid();
    return { name: nameOf(number), number };
  }
  const upper = input.trim().toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  const known = signalNumbers[name];
  if (known !== undefined) return { name: nameOf(known), number: known };
  const realtime = /^SIGRT(MIN|MAX)(?:([+-])(\d+))?$/.exec(name);
  if (realtime) {
    const base = realtime[1] === 'MIN' ? SIGRTMIN : SIGRTMAX;
    const offset = realtime[3] === undefined ? 0 : Number(realtime[3]) * (realtime[2] === '-' ? -1 : 1);
    const number = base + offset;
    if (number < SIGRTMIN || number > SIGRTMAX) throw invalid();
    return { name: nameOf(number), number };
  }
  throw invalid();
}

/** The exit code a shell reports for a process killed by `signal`: 128 + its number. */
export function signalExitCode(signal: string | number): number {
  return 128 + parseSignal(signal).number;
}
