import type { HostNet } from '../hostnet/host-net.js';

/**
 * Where a container on a user-defined network asks for names: docker's address of its
 * embedded DNS, inside the container's own namespace (its resolv.conf says
 * `nameserver 127.0.0.11`). {@link pointEmbeddedDns} makes it reach Berth's server.
 */
export const EMBEDDED_DNS_ADDRESS = '127.0.0.11';

/** The nat chain, in a container's namespace, that sends 127.0.0.11:53 to the server. */
export const EMBEDDED_DNS_CHAIN = 'BERTH-EMBEDDED-DNS';

/** Where {@link pointEmbeddedDns} sends a container's DNS queries, and as whom. */
export interface EmbeddedDnsTarget {
  /** The embedded DNS server's listener: a network's gateway (host namespace) and port. */
  listener: { host: string; port: number };
  /** The container's address on that network: the queries' source, by which the server knows the container. */
  source: string;
}

/**
 * The nat rules of {@link pointEmbeddedDns} as iptables-restore input (`--noflush`): the
 * chain is declared (so created or flushed) and filled; with `jump`, the OUTPUT rule into
 * it is added too — only the first time, as `--noflush` would add it again.
 */
export function embeddedDnsRules(listener: EmbeddedDnsTarget['listener'], options: { jump: boolean }): string {
  const destination = `${listener.host}:${listener.port}`;
  return [
    '*nat',
    `:${EMBEDDED_DNS_CHAIN} - [0:0]`,
    ...(options.jump ? [`-A OUTPUT -d ${EMBEDDED_DNS_ADDRESS}/32 -j ${EMBEDDED_DNS_CHAIN}`] : []),
    ...['udp', 'tcp'].map((protocol) => `-A ${EMBEDDED_DNS_CHAIN} -p ${protocol} --dport 53 -j DNAT --to-destination ${destination}`),
    'COMMIT',
    '',
  ].join('\n');
}

/**
 * Makes 127.0.0.11:53 (UDP and TCP) inside the namespace at `netnsPath` reach the embedded
 * DNS listener of `target` (Berth's server runs in the host namespace, on the gateway), in
 * two steps that {@link pointEmbeddedDns} runs side by side:
 *
 * - {@link redirectEmbeddedDns}: a nat OUTPUT rule (through {@link EMBEDDED_DNS_CHAIN})
 *   rewrites the destination to the listener, one `iptables-restore` for all of it; it needs
 *   only the namespace, so a connect runs it while the endpoint is being plugged in;
 * - {@link routeEmbeddedDns}: a `local` route for 127.0.0.11 whose preferred source is the
 *   container's address (which must be in the namespace already), so a query starts out
 *   from that address instead of 127.0.0.1: such a packet may leave the namespace once
 *   rewritten (a loopback source may not, short of `route_localnet`, which would also let
 *   neighbours reach the container's 127.0.0.1 services), and the server tells the asking
 *   container by it. Answers come back through the connection tracking.
 *
 * Both live in the container's namespace and vanish with it: nothing changes on the host.
 * Done once per container, at its first network with embedded DNS (`first`: with the OUTPUT
 * jump); later calls re-point an existing redirection (when that network is left).
 */
export async function pointEmbeddedDns(hostNet: HostNet, netnsPath: string, target: EmbeddedDnsTarget, options: { first: boolean }): Promise<void> {
  await Promise.all([redirectEmbeddedDns(hostNet, netnsPath, target.listener, options), routeEmbeddedDns(hostNet, netnsPath, target.source)]);
}

/** The nat half of {@link pointEmbeddedDns}: 127.0.0.11:53 → the listener. */
export async function redirectEmbeddedDns(hostNet: HostNet, netnsPath: string, listener: EmbeddedDnsTarget['listener'], options: { first: boolean }): Promise<void> {
  await hostNet.restoreIptables(embeddedDnsRules(listener, { jump: options.first }), netnsPath);
}

/** The routing half of {@link pointEmbeddedDns}: queries to 127.0.0.11 leave from `source`, an address of the namespace. */
export async function routeEmbeddedDns(hostNet: HostNet, netnsPath: string, source: string): Promise<void> {
  await hostNet.replaceLocalRoute(EMBEDDED_DNS_ADDRESS, source, netnsPath);
}
