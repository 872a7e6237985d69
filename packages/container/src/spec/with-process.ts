import type { SpecOption } from './spec-option.js';
import { processOf } from './spec-option.js';

/** Sets the argv of the container's process. */
export function withProcessArgs(args: readonly string[]): SpecOption {
  return (spec) => {
    processOf(spec).args = [...args];
  };
}

/** Sets the whole environment of the process (`KEY=value` entries). */
export function withEnv(env: readonly string[]): SpecOption {
  return (spec) => {
    processOf(spec).env = [...env];
  };
}

/** Sets the working directory (`/` when empty, as docker does). */
export function withCwd(cwd: string): SpecOption {
  return (spec) => {
    processOf(spec).cwd = cwd || '/';
  };
}

/** Gives the process a terminal (`tty`): stdout and stderr become one stream. */
export function withTerminal(terminal: boolean): SpecOption {
  return (spec) => {
    processOf(spec).terminal = terminal;
  };
}

/** Sets the OOM score adjustment of the process (-1000 … 1000). */
export function withOomScoreAdj(score: number): SpecOption {
  return (spec) => {
    processOf(spec).oomScoreAdj = score;
  };
}
