import type { CommandSpec, FlagSpec } from './command.js';

/** docker's help for one command: usage, description, aliases, options, subcommands. */
export function commandHelp(programName: string, path: string, command: CommandSpec): string {
  const lines = [`Usage:  ${programName} ${path} ${command.usage}`.trimEnd(), '', command.description];
  if (command.aliases?.length) lines.push('', 'Aliases:', `  ${[path, ...command.aliases.map((alias) => path.replace(/\S+$/, alias))].map((p) => `${programName} ${p}`).join(', ')}`);
  if (command.subcommands?.length) {
    lines.push('', 'Commands:');
    const width = Math.max(...command.subcommands.map((sub) => sub.name.length)) + 2;
    for (const sub of command.subcommands) lines.push(`  ${sub.name.padEnd(width)}${sub.description}`);
    lines.push('', `Run '${programName} ${path} COMMAND --help' for more information on a command.`);
  }
  const flags = (command.flags ?? []).filter((flag) => !flag.hidden);
  if (flags.length > 0) {
    lines.push('', 'Options:');
    lines.push(...flagLines(flags));
  }
  return `${lines.join('\n')}\n`;
}

/** The option lines of help: `  -p, --publish list   Publish a container's port(s) to the host`. */
export function flagLines(flags: readonly FlagSpec[]): string[] {
  const left = flags.map((flag) => `${flag.short ? `-${flag.short}, ` : '    '}--${flag.name}${flag.kind === 'boolean' ? '' : ` ${flag.valueName ?? 'string'}`}`);
  const width = Math.max(...left.map((text) => text.length)) + 3;
  return flags.map((flag, i) => `  ${left[i]!.padEnd(width)}${flag.description}${flag.defaultText ? ` (default ${flag.defaultText})` : ''}`);
}

/** The top-level help: global options and every command. */
export function programHelp(programName: string, commands: readonly CommandSpec[], globalFlags: readonly FlagSpec[]): string {
  const groups = commands.filter((c) => c.subcommands);
  const plain = commands.filter((c) => !c.subcommands);
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  const list = (items: readonly CommandSpec[]) => items.map((c) => `  ${c.name.padEnd(width)}${c.description}`);
  return [
    `Usage:  ${programName} [OPTIONS] COMMAND`,
    '',
    'A container engine, driven like docker',
    '',
    'Commands:',
    ...list(plain),
    '',
    'Management Commands:',
    ...list(groups),
    '',
    'Global Options:',
    ...flagLines(globalFlags),
    '',
    `Run '${programName} COMMAND --help' for more information on a command.`,
    '',
  ].join('\n');
}
