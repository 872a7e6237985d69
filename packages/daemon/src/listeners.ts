import { InvalidArgumentError } from '@berth/errdefs';

/** TLS of a TCP listener: the server's certificate and, to verify clients, the CA that signs theirs. */
export interface TlsSettings {
  /** PEM certificate chain of the server. */
  cert: string | Buffer;
  /** PEM private key of the server. */
  key: string | Buffer;
  /** PEM CA bundle; with `verifyClients`, clients must present a certificate it signed. */
  ca?: string | Buffer;
  /** dockerd's `--tlsverify`: refuse clients without a valid certificate. */
  verifyClients: boolean;
}

/** Where a daemon listens: a unix socket (the default), or TCP — with TLS unless explicitly forced plain. */
export type ListenerSpec =
  | {
      type: 'unix';
      path: string;
      /** File mode of the socket (default `0o660`). */
      mode?: number;
    }
  | {
      type: 'tcp';
      host: string;
      /** 0 picks a free port. */
      port: number;
      tls?: TlsSettings;
      /** Serve plain TCP without TLS: anyone who can connect owns the host. Must be set on purpose. */
      allowInsecure?: boolean;
    };

/** The default socket path of berthd. */
export const DEFAULT_SOCKET_PATH = '/run/berth/berthd.sock';

/**
 * Parses a `-H` address as dockerd: `unix:///path`, `tcp://host:port`, `fd://` is refused.
 * An empty host is `0.0.0.0`; TCP port defaults to 2376 (TLS), as dockerd's.
 */
export function parseListenAddress(address: string): ListenerSpec {
  if (address.startsWith('unix://')) {
    const path = address.slice('unix://'.length) || DEFAULT_SOCKET_PATH;
    return { type: 'unix', path };
  }
  if (address.startsWith('/')) return { type: 'unix', path: address };
  if (address.startsWith('tcp://')) {
    const rest = address.slice('tcp://'.length).replace(/\/$/, '');
    const match = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(rest);
    if (!match) throw new InvalidArgumentError(`invalid bind address (${address})`);
    const host = (match[1] ?? '').replace(/^\[|\]$/g, '') || '0.0.0.0';
    const port = match[2] === undefined ? 2376 : Number.parseInt(match[2], 10);
    if (port > 65535) throw new InvalidArgumentError(`invalid bind address (${address}): port out of range`);
    return { type: 'tcp', host, port };
  }
  throw new InvalidArgumentError(`invalid bind address (${address}): only unix:// and tcp:// are supported`);
}

/** How a listener shows in logs and `DaemonServer.addresses`: `unix:///run/berth/berthd.sock`, `tcp://127.0.0.1:2376`. */
export function listenerAddress(spec: ListenerSpec, port?: number): string {
  return spec.type === 'unix' ? `unix://${spec.path}` : `tcp://${spec.host.includes(':') ? `[${spec.host}]` : spec.host}:${port ?? spec.port}`;
}
