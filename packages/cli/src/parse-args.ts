import type { CommandSpec, FlagSpec, ParsedFlags } from './command.js';
import { UsageError } from './internal/usage-error.js';

/** The outcome of parsing one command's arguments. */
export interface ParsedArgs {
  flags: ParsedFlags;
  args: string[];
  /** `-h`/`--help` was given. */
  help: boolean;
}

/** Implicit on every command, as docker's. */
const HELP_FLAG: FlagSpec = { name: 'help', short: 'h', kind: 'boolean', description: 'Print usage' };

const TRUE_WORDS = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const FALSE_WORDS = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

/**
 * Parses `argv` against the flags of `command`, docker (pflag) style: `--name value`,
 * `--name=value`, `-n value`, `-nvalue`, grouped switches `-it`, `--flag=false` for
 * booleans, repeatable list flags, and `--` ending the flags. With `interspersed: false`
 * flags stop at the first positional. Throws {@link UsageError} on what pflag refuses.
 */
export function parseArgs(command: CommandSpec, argv: readonly string[], commandPath: string): ParsedArgs {
  const own = command.flags ?? [];
  // `run -h` is --hostname: help keeps its shorthand only where no flag took it.
  const specs = [...own, own.some((spec) => spec.short === 'h') ? { ...HELP_FLAG, short: undefined } : HELP_FLAG] as FlagSpec[];
  const byLong = new Map(specs.map((spec) => [spec.name, spec]));
  const byShort = new Map(specs.filter((spec) => spec.short).map((spec) => [spec.short!, spec]));
  const values = new Map<string, string[]>();
  const args: string[] = [];
  const interspersed = command.interspersed ?? true;
  const set = (spec: FlagSpec, value: string) => {
    if (spec.kind === 'boolean') {
      if (!TRUE_WORDS.has(value) && !FALSE_WORDS.has(value)) {
        throw new UsageError(`invalid argument "${value}" for "${flagLabel(spec)}" flag: strconv.ParseBool: parsing "${value}": invalid syntax`, commandPath);
      }
      values.set(spec.name, [TRUE_WORDS.has(value) ? 'true' : 'false']);
      return;
    }
    values.set(spec.name, spec.kind === 'list' ? [...(values.get(spec.name) ?? []), value] : [value]);
  };
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i++]!;
    if (arg === '--') {
      args.push(...argv.slice(i));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      const spec = byLong.get(name);
      if (!spec) throw new UsageError(`unknown flag: --${name}`, commandPath);
      if (eq !== -1) set(spec, arg.slice(eq + 1));
      else if (spec.kind === 'boolean') set(spec, 'true');
      else {
        if (i >= argv.length) throw new UsageError(`flag needs an argument: --${name}`, commandPath);
        set(spec, argv[i++]!);
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      // A group of short flags: switches until one that takes a value (the rest, or the next word).
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j]!;
        const spec = byShort.get(letter);
        if (!spec) throw new UsageError(`unknown shorthand flag: '${letter}' in ${arg}`, commandPath);
        if (spec.kind === 'boolean') {
          if (arg[j + 1] === '=') {
            set(spec, arg.slice(j + 2));
            break;
          }
          set(spec, 'true');
          continue;
        }
        const rest = arg.slice(j + 1);
        if (rest !== '') set(spec, rest.startsWith('=') ? rest.slice(1) : rest);
        else {
          if (i >= argv.length) throw new UsageError(`flag needs an argument: '${letter}' in -${letter}`, commandPath);
          set(spec, argv[i++]!);
        }
        break;
      }
      continue;
    }
    args.push(arg);
    if (!interspersed) {
      args.push(...argv.slice(i));
      break;
    }
  }
  const help = values.get('help')?.[0] === 'true';
  if (!help && command.args) checkArgCount(command, args.length, commandPath);
  return { flags: flagsOf(values), args, help };
}

function checkArgCount(command: CommandSpec, count: number, commandPath: string): void {
  const { min, max } = command.args!;
  const plural = (n: number) => `${n} argument${n === 1 ? '' : 's'}`;
  if (max === 0 && count > 0) throw new UsageError(`"${commandPath}" accepts no arguments.`, commandPath, true);
  if (max !== undefined && min === max && count !== min) {
    throw new UsageError(`"${commandPath}" requires exactly ${plural(min)}.`, commandPath, true);
  }
  if (count < min) throw new UsageError(`"${commandPath}" requires at least ${plural(min)}.`, commandPath, true);
  if (max !== undefined && count > max) {
    throw new UsageError(`"${commandPath}" requires at most ${plural(max)}.`, commandPath, true);
  }
}

function flagsOf(values: ReadonlyMap<string, string[]>): ParsedFlags {
  return {
    bool: (name) => values.get(name)?.[0] === 'true',
    string: (name) => values.get(name)?.at(-1),
    list: (name) => [...(values.get(name) ?? [])],
    has: (name) => values.has(name),
  };
}

/** `-p, --publish` as pflag names a flag in messages. */
function flagLabel(spec: FlagSpec): string {
  return spec.short ? `-${spec.short}, --${spec.name}` : `--${spec.name}`;
}
