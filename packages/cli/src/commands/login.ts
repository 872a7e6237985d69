import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { InvalidArgumentError } from '@berth/errdefs';
import type { CliContext, CommandSpec } from '../command.js';
import { flag } from './flag.js';

const DEFAULT_REGISTRY = 'https://index.docker.io/v1/';

function configPath(context: CliContext): string {
  return join(context.env.DOCKER_CONFIG ?? join(context.env.HOME ?? homedir(), '.docker'), 'config.json');
}

async function readConfig(path: string): Promise<Record<string, unknown> & { auths?: Record<string, { auth?: string }> }> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

async function readStdin(context: CliContext): Promise<string> {
  if (!context.stdin) throw new InvalidArgumentError('--password-stdin needs standard input');
  let text = '';
  for await (const chunk of context.stdin) text += String(chunk);
  return text.replace(/\r?\n$/, '');
}

/**
 * `login`: stores the credentials in docker's `config.json` (`$DOCKER_CONFIG` or
 * `~/.docker`), where pulls and pushes of this CLI (and registry-client) find them. The
 * registry is not contacted: a wrong password shows at the next pull.
 */
export const loginCommand: CommandSpec = {
  name: 'login',
  usage: '[OPTIONS] [SERVER]',
  description: 'Log in to a registry',
  flags: [flag('password', 'string', 'Password', { short: 'p' }), flag('password-stdin', 'boolean', 'Take the password from stdin'), flag('username', 'string', 'Username', { short: 'u' })],
  args: { min: 0, max: 1 },
  async run(context, flags, [server]) {
    const username = flags.string('username');
    let password = flags.string('password');
    if (flags.bool('password-stdin')) {
      if (password !== undefined) throw new InvalidArgumentError('--password and --password-stdin are mutually exclusive');
      password = await readStdin(context);
    }
    if (!username || password === undefined) throw new InvalidArgumentError('Username and password are required (-u and -p or --password-stdin)');
    if (flags.has('password')) context.stderr.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
    const path = configPath(context);
    const config = await readConfig(path);
    config.auths = { ...(config.auths ?? {}), [server ?? DEFAULT_REGISTRY]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } };
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, `${JSON.stringify(config, null, '\t')}\n`, { mode: 0o600 });
    context.stdout.write('Login Succeeded\n');
    return 0;
  },
};

/** `logout [SERVER]`: removes stored credentials. */
export const logoutCommand: CommandSpec = {
  name: 'logout',
  usage: '[SERVER]',
  description: 'Log out from a registry',
  args: { min: 0, max: 1 },
  async run(context, _flags, [server]) {
    const key = server ?? DEFAULT_REGISTRY;
    const path = configPath(context);
    const config = await readConfig(path);
    if (!config.auths?.[key]) {
      context.stdout.write(`Not logged in to ${key}\n`);
      return 0;
    }
    delete config.auths[key];
    await writeFile(path, `${JSON.stringify(config, null, '\t')}\n`, { mode: 0o600 });
    context.stdout.write(`Removing login credentials for ${key}\n`);
    return 0;
  },
};
