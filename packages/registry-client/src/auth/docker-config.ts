import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, UnavailableError } from '@berth/errdefs';
import { z } from 'zod';
import { type CredentialSource, type Credentials, canonicalRegistry } from './credentials.js';

/** Where {@link dockerConfigCredentials} looks. */
export interface DockerConfigOptions {
  /** The `config.json` to read (default `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`). */
  path?: string;
  /** Environment for finding the file and running `docker-credential-*` helpers (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

const authEntrySchema = z.looseObject({
  auth: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  identitytoken: z.string().optional(),
  registrytoken: z.string().optional(),
});

const dockerConfigSchema = z.looseObject({
  auths: z.record(z.string(), authEntrySchema).optional(),
  credHelpers: z.record(z.string(), z.string()).optional(),
  credsStore: z.string().optional(),
});

const helperOutputSchema = z.looseObject({ Username: z.string().optional(), Secret: z.string() });

/** The key docker files Docker Hub credentials under. */
const dockerHubKey = 'https://index.docker.io/v1/';

/**
 * Credentials as the docker CLI keeps them in `config.json`: a `credHelpers` entry for the
 * registry runs `docker-credential-<helper> get`; otherwise the `credsStore` helper is asked;
 * otherwise the `auths` entry is used (`auth` is base64 `user:password`; `identitytoken`
 * is an OAuth2 refresh token). Docker Hub is filed under `https://index.docker.io/v1/`.
 * The file is read on each lookup (lookups happen once per registry per client).
 */
export function dockerConfigCredentials(options: DockerConfigOptions = {}): CredentialSource {
  const env = options.env ?? process.env;
  const path = options.path ?? join(env.DOCKER_CONFIG ?? join(env.HOME ?? homedir(), '.docker'), 'config.json');
  return async (registry) => {
    const config = await readConfig(path);
    if (!config) return undefined;
    const canonical = canonicalRegistry(registry);
    const keys = candidateKeys(canonical);
    const helper = keys.map((key) => config.credHelpers?.[key]).find((h) => h !== undefined);
    const serverUrl = canonical === 'docker.io' ? dockerHubKey : canonical;
    if (helper) return runHelper(helper, serverUrl, env);
    if (config.credsStore) {
      const stored = await runHelper(config.credsStore, serverUrl, env);
      if (stored) return stored;
    }
    for (const [key, entry] of Object.entries(config.auths ?? {})) {
      if (keys.includes(key) || hostOf(key) === canonical || (canonical === 'docker.io' && canonicalRegistry(hostOf(key)) === 'docker.io')) {
        const credentials = fromAuthEntry(entry, key, path);
        if (credentials) return credentials;
      }
    }
    return undefined;
  };
}

async function readConfig(path: string): Promise<z.infer<typeof dockerConfigSchema> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UnavailableError(`cannot read docker config ${path}: ${(err as Error).message}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(`docker config ${path} is not valid JSON`, { cause: err });
  }
  const parsed = dockerConfigSchema.safeParse(json);
  if (!parsed.success) throw new InvalidArgumentError(`docker config ${path} is malformed: ${parsed.error.message}`);
  return parsed.data;
}

function candidateKeys(registry: string): string[] {
  if (registry === 'docker.io') return [dockerHubKey, 'index.docker.io', 'docker.io', 'registry-1.docker.io', 'https://index.docker.io/v1'];
  return [registry, `https://${registry}`, `http://${registry}`, `https://${registry}/v1/`, `https://${registry}/v2/`];
}

/** The host of an `auths` key, which may be a bare host or a URL with a path. */
function hostOf(key: string): string {
  const withoutScheme = key.replace(/^[a-z]+:\/\//, '');
  return withoutScheme.split('/')[0]!;
}

function fromAuthEntry(entry: z.infer<typeof authEntrySchema>, key: string, path: string): Credentials | undefined {
  if (entry.registrytoken) return { registryToken: entry.registrytoken };
  let username = entry.username;
  let password = entry.password;
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new InvalidArgumentError(`docker config ${path}: the auth of ${key} is not base64 "user:password"`);
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  if (entry.identitytoken) return { identityToken: entry.identitytoken, ...(username ? { username } : {}) };
  if (username !== undefined && password !== undefined && (username !== '' || password !== '')) return { username, password };
  return undefined;
}

/**
 * Runs `docker-credential-<helper> get` with the server URL on stdin. "Not found" (a
 * non-zero exit saying so) means no credentials; a missing program or other failure is
 * `Unavailable`, as the docker CLI fails too.
 */
export function runHelper(helper: string, serverUrl: string, env: NodeJS.ProcessEnv): Promise<Credentials | undefined> {
  const program = `docker-credential-${helper}`;
  return new Promise((resolve, reject) => {
    const child = spawn(program, ['get'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.once('error', (err) => reject(new UnavailableError(`cannot run credential helper ${program}: ${err.message}`, { cause: err })));
    child.once('close', (code) => {
      if (code !== 0) {
        const message = `${stdout} ${stderr}`.trim();
        if (/credentials not found|not found in native keychain/i.test(message)) resolve(undefined);
        else reject(new UnavailableError(`credential helper ${program} failed for ${serverUrl}: ${message || `exit code ${code}`}`));
        return;
      }
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      const parsed = helperOutputSchema.safeParse(json);
      if (!parsed.success) {
        reject(new UnavailableError(`credential helper ${program} printed something that is not credentials for ${serverUrl}`));
        return;
      }
      const { Username: username = '', Secret: secret } = parsed.data;
      if (username === '<token>') resolve({ identityToken: secret });
      else if (username === '' && secret === '') resolve(undefined);
      else resolve({ username, password: secret });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(serverUrl);
  });
}
