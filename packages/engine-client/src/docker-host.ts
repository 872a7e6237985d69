import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from '@berth/errdefs';

/** Client TLS material: PEM contents (or paths, when read from `DOCKER_CERT_PATH`). */
export interface EngineClientTls {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Check the daemon's certificate against `ca` and its host name (default true). */
  verify?: boolean;
}

/** Where the daemon listens, after `DOCKER_HOST` and the TLS variables are applied. */
export type DockerEndpoint =
  | { kind: 'unix'; socketPath: string }
  | { kind: 'tcp'; host: string; port: number; tls: EngineClientTls | undefined };

/** The daemon docker talks to when nothing says otherwise. */
export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';

/**
 * Resolves the daemon address as the docker CLI and Go client do: `host` (else `DOCKER_HOST`,
 * else the default unix socket), `unix:///path` or `tcp://host[:port]` (`http(s)://` too). TLS
 * applies to TCP only: `tls` given, or `DOCKER_CERT_PATH` set (its `ca.pem`, `cert.pem`,
 * `key.pem`; the certificate is verified only when `DOCKER_TLS_VERIFY` is non-empty, as in the Go
 * client), or `DOCKER_TLS_VERIFY` set (verified, files from `~/.docker`). The default port is
 * 2376 with TLS, 2375 without. Anything else is `InvalidArgument`.
 */
export function resolveDockerHost(
  options: { host?: string; tls?: EngineClientTls | boolean } = {},
  env: NodeJS.ProcessEnv = process.env,
): DockerEndpoint {
  const host = options.host ?? (env.DOCKER_HOST || DEFAULT_DOCKER_HOST);
  const match = /^([a-z]+):\/\/(.*)$/.exec(host);
  if (!match) throw new InvalidArgumentError(`unable to parse docker host \`${host}\``);
  const [, scheme, rest] = match as unknown as [string, string, string];
  if (scheme === 'unix') {
    if (rest === '' || !rest.startsWith('/')) throw new InvalidArgumentError(`invalid unix socket path in docker host \`${host}\``);
    return { kind: 'unix', socketPath: rest };
  }
  if (scheme !== 'tcp' && scheme !== 'http' && scheme !== 'https') {
    throw new InvalidArgumentError(`unsupported protocol scheme in docker host \`${host}\`: ${scheme}`);
  }
  const tls = tlsFor(options.tls, scheme === 'https', env);
  const address = /^(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(rest);
  if (!address) throw new InvalidArgumentError(`invalid address in docker host \`${host}\``);
  const name = address[1]!.replace(/^\[(.*)\]$/, '$1');
  const port = address[2] === undefined ? (tls ? 2376 : 2375) : Number.parseInt(address[2], 10);
  if (port <= 0 || port > 65535) throw new InvalidArgumentError(`invalid port in docker host \`${host}\``);
  return { kind: 'tcp', host: name, port, tls };
}

function tlsFor(option: EngineClientTls | boolean | undefined, https: boolean, env: NodeJS.ProcessEnv): EngineClientTls | undefined {
  if (option === false) return undefined;
  if (typeof option === 'object') return option;
  const certPath = env.DOCKER_CERT_PATH;
  const verify = Boolean(env.DOCKER_TLS_VERIFY);
  if (!certPath && !verify && option !== true && !https) return undefined;
  const directory = certPath || join(homedir(), '.docker');
  const read = (file: string) => {
    try {
      return readFileSync(join(directory, file));
    } catch (cause) {
      if (certPath || verify) throw new InvalidArgumentError(`could not read TLS file ${join(directory, file)}`, { cause });
      return undefined;
    }
  };
  const ca = read('ca.pem');
  const cert = read('cert.pem');
  const key = read('key.pem');
  return {
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    verify: certPath ? verify : true,
  };
}
