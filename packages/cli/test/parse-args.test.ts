import { describe, expect, it } from 'vitest';
import { type CommandSpec, parseArgs } from '@berth/cli';

const command: CommandSpec = {
  name: 'run',
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  description: 'test',
  flags: [
    { name: 'env', short: 'e', kind: 'list', description: '' },
    { name: 'publish', short: 'p', kind: 'list', description: '' },
    { name: 'interactive', short: 'i', kind: 'boolean', description: '' },
    { name: 'tty', short: 't', kind: 'boolean', description: '' },
    { name: 'detach', short: 'd', kind: 'boolean', description: '' },
    { name: 'name', kind: 'string', description: '' },
    { name: 'hostname', short: 'h', kind: 'string', description: '' },
  ],
  args: { min: 1 },
  interspersed: false,
};

describe('parseArgs', () => {
  it('reads long, short, grouped, attached and repeated flags', () => {
    const { flags, args } = parseArgs(command, ['-it', '-eA=1', '--env', 'B=2', '-p', '80:80', '--name=web', '-dp8080:80', 'busybox', 'ls'], 'berth run');
    expect(flags.bool('interactive')).toBe(true);
    expect(flags.bool('tty')).toBe(true);
    expect(flags.bool('detach')).toBe(true);
    expect(flags.list('env')).toEqual(['A=1', 'B=2']);
    expect(flags.list('publish')).toEqual(['80:80', '8080:80']);
    expect(flags.string('name')).toBe('web');
    expect(args).toEqual(['busybox', 'ls']);
  });

  it('stops at the first positional when not interspersed, passing later flags to the container', () => {
    const { flags, args } = parseArgs(command, ['busybox', 'ls', '-l', '--name', 'x'], 'berth run');
    expect(args).toEqual(['busybox', 'ls', '-l', '--name', 'x']);
    expect(flags.has('name')).toBe(false);
  });

  it('ends flags at --', () => {
    expect(parseArgs({ ...command, interspersed: true }, ['--', '-x', 'y'], 'berth run').args).toEqual(['-x', 'y']);
  });

  it('accepts --flag=false for switches and rejects non-booleans', () => {
    expect(parseArgs(command, ['--tty=false', 'img'], 'berth run').flags.bool('tty')).toBe(false);
    expect(() => parseArgs(command, ['--tty=maybe', 'img'], 'berth run')).toThrow(/invalid argument "maybe" for "-t, --tty" flag/);
  });

  it('refuses unknown flags and missing values with pflag wording', () => {
    expect(() => parseArgs(command, ['--nope', 'img'], 'berth run')).toThrow('unknown flag: --nope');
    expect(() => parseArgs(command, ['-x', 'img'], 'berth run')).toThrow("unknown shorthand flag: 'x' in -x");
    expect(() => parseArgs(command, ['--name'], 'berth run')).toThrow('flag needs an argument: --name');
  });

  it('checks the argument count and leaves -h to --hostname when a flag owns it', () => {
    expect(() => parseArgs(command, [], 'berth run')).toThrow('"berth run" requires at least 1 argument.');
    const parsed = parseArgs(command, ['-h', 'box', 'img'], 'berth run');
    expect(parsed.flags.string('hostname')).toBe('box');
    expect(parsed.help).toBe(false);
    expect(parseArgs(command, ['--help'], 'berth run').help).toBe(true);
  });
});
