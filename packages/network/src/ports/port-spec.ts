import { InvalidArgumentError } from '@berth/errdefs';
import { tryParseIp } from '../ipam/ip-address.js';
import type { PortProtocol } from '../network.js';

/** A port the user asked to publish, before a host port is chosen. */
export interface PortMappingRequest {
  containerPort: number;
  protocol: PortProtocol;
  /** Host address to bind; empty string means all addresses. */
  hostIp: string;
  /** Host ports allowed: `[0, 0]` means any ephemeral port; `[p, p]` exactly `p`; else a range to pick from. */
  hostPortRange: [number, number];
}

/** Parsed `-p` specs: the exposed ports (`80/tcp`) and the mappings. */
export interface ParsedPortSpecs {
  exposed: string[];
  mappings: PortMappingRequest[];
}

const PROTOCOLS: readonly PortProtocol[] = ['tcp', 'udp', 'sctp'];

function parsePort(text: string, what: string, spec: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw new InvalidArgumentError(`invalid ${what} ${JSON.stringify(text)} in port spec ${JSON.stringify(spec)}`);
  }
  return Number(text);
}

/** `80` or `8000-8010` → [start, end]. */
function parsePortRange(text: string, what: string, spec: string): [number, number] {
  if (text === '') throw new InvalidArgumentError(`empty ${what} in port spec ${JSON.stringify(spec)}`);
  const [startText, endText, extra] = text.split('-');
  if (extra !== undefined) throw new InvalidArgumentError(`invalid ${what} range ${JSON.stringify(text)} in ${JSON.stringify(spec)}`);
  const start = parsePort(startText ?? '', what, spec);
  const end = endText === undefined ? start : parsePort(endText, what, spec);
  if (end < start) throw new InvalidArgumentError(`invalid ${what} range ${JSON.stringify(text)}: end before start`);
  return [start, end];
}

/** `ip:host:container` split like docker: the last two colons separate, the rest is the IP. */
function splitParts(spec: string): [string, string, string] {
  const parts = spec.split(':');
  const container = parts[parts.length - 1] ?? '';
  switch (parts.length) {
    case 1:
      return ['', '', container];
    case 2:
      return ['', parts[0] ?? '', container];
    default:
      return [parts.slice(0, -2).join(':'), parts[parts.length - 2] ?? '', container];
  }
}

/**
 * Parses one `-p` spec with docker's rules (`nat.ParsePortSpec`): `80`, `8080:80`,
 * `127.0.0.1:8080:80`, `127.0.0.1::80`, `[::1]:8080:80`, `8000-8001:80-81`, `8000-8010:80`
 * (any host port of the range), `/udp`. One request per container port.
 */
export function parsePortSpec(spec: string): PortMappingRequest[] {
  let [hostIp, hostPart, containerPart] = splitParts(spec);
  const slash = containerPart.indexOf('/');
  const protocolText = slash < 0 ? 'tcp' : containerPart.slice(slash + 1).toLowerCase();
  containerPart = slash < 0 ? containerPart : containerPart.slice(0, slash);
  if (hostIp.startsWith('[') && hostIp.endsWith(']')) hostIp = hostIp.slice(1, -1);
  if (hostIp !== '' && !tryParseIp(hostIp)) throw new InvalidArgumentError(`invalid IP address ${JSON.stringify(hostIp)} in port spec ${JSON.stringify(spec)}`);
  if (containerPart === '') throw new InvalidArgumentError(`no port specified: ${spec}<empty>`);
  const protocol = protocolText as PortProtocol;
  if (!PROTOCOLS.includes(protocol)) throw new InvalidArgumentError(`invalid proto: ${protocolText}`);
  const [start, end] = parsePortRange(containerPart, 'containerPort', spec);
  if (start === 0) throw new InvalidArgumentError(`invalid containerPort 0 in port spec ${JSON.stringify(spec)}`);
  const [hostStart, hostEnd] = hostPart === '' ? [0, 0] : parsePortRange(hostPart, 'hostPort', spec);
  if (hostPart !== '' && end - start !== hostEnd - hostStart && end !== start) {
    throw new InvalidArgumentError(`invalid ranges specified for container and host Ports: ${spec}`);
  }
  const requests: PortMappingRequest[] = [];
  for (let offset = 0; offset <= end - start; offset += 1) {
    let hostPortRange: [number, number];
    if (hostPart === '') hostPortRange = [0, 0];
    else if (start === end) hostPortRange = [hostStart, hostEnd];
    else hostPortRange = [hostStart + offset, hostStart + offset];
    requests.push({ containerPort: start + offset, protocol, hostIp, hostPortRange });
  }
  return requests;
}

/**
 * Parses a list of `-p` specs; a spec without a host part (`80`) still publishes the port on
 * a random host port, as docker does. Every mapped port is also exposed.
 */
export function parsePortSpecs(specs: readonly string[]): ParsedPortSpecs {
  const mappings = specs.flatMap(parsePortSpec);
  const exposed = [...new Set(mappings.map((m) => `${m.containerPort}/${m.protocol}`))];
  return { exposed, mappings };
}

/** `80`, `80/udp`, `8000-8002/tcp` (an image's or `--expose`'s ports) → `port/proto` keys. */
export function parseExposedPort(text: string): string[] {
  const slash = text.indexOf('/');
  const protocol = (slash < 0 ? 'tcp' : text.slice(slash + 1).toLowerCase()) as PortProtocol;
  if (!PROTOCOLS.includes(protocol)) throw new InvalidArgumentError(`invalid proto: ${protocol}`);
  const [start, end] = parsePortRange(slash < 0 ? text : text.slice(0, slash), 'port', text);
  return Array.from({ length: end - start + 1 }, (_, i) => `${start + i}/${protocol}`);
}

/** `-P`: every exposed port (`80/tcp`) published on a random host port of all addresses. */
export function publishAllRequests(exposed: readonly string[]): PortMappingRequest[] {
  return exposed.flatMap(parseExposedPort).map((key) => {
    const [port, protocol] = key.split('/') as [string, PortProtocol];
    return { containerPort: Number(port), protocol, hostIp: '', hostPortRange: [0, 0] as [number, number] };
  });
}
