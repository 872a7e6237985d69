import type { Readable, Writable } from 'node:stream';
import type { Engine } from '@berth/engine';

/** How a flag takes its value: a switch, one value (last wins), or a repeatable list. */
export type FlagKind = 'boolean' | 'string' | 'list';

/** One flag of a command, docker style: `--name value`, `--name=value`, `-n value`, `-abc`. */
export interface FlagSpec {
  /** Long name, without dashes (`publish`). */
  name: string;
  /** One-letter short name (`p`). */
  short?: string;
  kind: FlagKind;
  description: string;
  /** The value's name in help (`list`, `string`, `int`, `duration`). */
  valueName?: string;
  /** Default shown in help (the command applies it). */
  defaultText?: string;
  /** Accepted but not shown (compatibility flags). */
  hidden?: boolean;
}

/** The streams and engine a command runs with; tests pass memory streams and `createMemoryEngine()`. */
export interface CliContext {
  /** The engine, connected on first use (a command that never asks never connects). */
  engine(): Promise<Engine>;
  readonly stdout: CliOutput;
  readonly stderr: Writable;
  readonly stdin: CliInput | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The clock of relative times (`2 minutes ago`); tests fix it. */
  now(): Date;
  /** The binary's name in messages (`berth`). */
  readonly programName: string;
  /** Aborted when the user interrupts (SIGINT) or the CLI ends. */
  readonly signal: AbortSignal;
}

/** Output stream of the CLI: a terminal (`isTTY`, `columns`) or a pipe. */
export type CliOutput = Writable & { isTTY?: boolean; columns?: number };

/** Input stream of the CLI; raw mode is used for `-it` when it is a terminal. */
export type CliInput = Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };

/** Flag values by long name, as parsed. */
export interface ParsedFlags {
  /** A boolean flag's value (false when absent). */
  bool(name: string): boolean;
  /** The last value of a string flag. */
  string(name: string): string | undefined;
  /** Every value of a list flag, in order. */
  list(name: string): string[];
  /** Whether the flag appeared at all. */
  has(name: string): boolean;
}

/**
 * A command of the CLI: its usage (for help and the generated reference), flags, argument
 * count and action. Groups (`network`, `volume`, `system`) have `subcommands` and no `run`.
 */
export interface CommandSpec {
  name: string;
  aliases?: readonly string[];
  /** Usage after the command path: `[OPTIONS] IMAGE [COMMAND] [ARG...]`. */
  usage: string;
  description: string;
  flags?: readonly FlagSpec[];
  /** Positional argument count: docker's `requires at least/exactly N argument(s)`. */
  args?: { min: number; max?: number };
  /**
   * `false`: flags stop at the first positional (`run IMAGE ls -l` passes `-l` to the
   * container), as docker's `run` and `exec`.
   */
  interspersed?: boolean;
  subcommands?: readonly CommandSpec[];
  /** Runs the command; resolves to the exit code. */
  run?(context: CliContext, flags: ParsedFlags, args: string[]): Promise<number>;
}
