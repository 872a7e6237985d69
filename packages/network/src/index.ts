/**
 * Container networks: the model and {@link NetworkDriver} interface, drivers (`bridge`, `host`,
 * `none`, `memory`), IPAM, port publishing, embedded DNS, container network files, and the
 * {@link HostNet} seam to the operating system.
 *
 * @packageDocumentation
 */

// --- model ---
export { BRIDGE_OPTIONS, PREDEFINED_NETWORKS, DEFAULT_BRIDGE_NAME } from './network.js';
export type { Network, Endpoint, IpamPool, PortBinding, PortProtocol } from './network.js';
export { parseNetworkMode, formatNetworkMode, ownsNetworkNamespace } from './network-mode.js';
export type { NetworkMode } from './network-mode.js';
export type {
  NetworkDriver,
  NetworkDriverCapabilities,
  DriverNetworkSpec,
  DriverEndpointSpec,
  DriverEndpointInfo,
} from './network-driver.js';

// --- IPAM (ipam/) ---
export { Ipam } from './ipam/ipam.js';
export type { IpamOptions, PoolRequest, ReservedPool } from './ipam/ipam.js';
export { createMemoryIpamStore, createFileIpamStore, IpamStateSchema } from './ipam/ipam-store.js';
export type { IpamStore, IpamState, IpamPoolState } from './ipam/ipam-store.js';
export { DEFAULT_ADDRESS_POOLS, DEFAULT_IPV6_POOLS } from './ipam/default-pools.js';
export type { AddressPool } from './ipam/default-pools.js';
export {
  parseIp,
  tryParseIp,
  formatIp,
  parseSubnet,
  formatSubnet,
  subnetContains,
  subnetsOverlap,
  subnetSize,
} from './ipam/ip-address.js';
export type { IpAddress, IpFamily, Subnet } from './ipam/ip-address.js';

// --- ports (ports/) ---
export { parsePortSpec, parsePortSpecs, parseExposedPort, publishAllRequests } from './ports/port-spec.js';
export type { PortMappingRequest, ParsedPortSpecs } from './ports/port-spec.js';
export { PortAllocator, probeHostPort } from './ports/port-allocator.js';
export type { PortAllocatorOptions, PortProbe } from './ports/port-allocator.js';

// --- DNS (dns/) ---
export {
  encodeDnsMessage,
  decodeDnsMessage,
  dnsQuery,
  DNS_TYPE,
  DNS_CLASS_IN,
  DNS_RCODE,
} from './dns/dns-message.js';
export type { DnsMessage, DnsQuestion, DnsRecord } from './dns/dns-message.js';
export { startDnsServer } from './dns/dns-server.js';
export type { DnsServer, DnsServerOptions, DnsNameResolver } from './dns/dns-server.js';
export { resolveOnNetwork, resolveForClient, endpointNames } from './dns/network-names.js';
export { parseResolvConf, readHostResolvConf, containerNameservers, embeddedDnsUpstreams } from './dns/resolv-conf.js';
export { EMBEDDED_DNS_ADDRESS, EMBEDDED_DNS_CHAIN, embeddedDnsRules, pointEmbeddedDns, redirectEmbeddedDns, routeEmbeddedDns } from './dns/embedded-dns-address.js';
export type { EmbeddedDnsTarget } from './dns/embedded-dns-address.js';
export type { ResolvConf } from './dns/resolv-conf.js';

// --- container files (files/) ---
export { buildHostsFile, buildHostnameFile, parseExtraHosts, HOST_GATEWAY } from './files/hosts-file.js';
export type { HostsFileOptions, ExtraHost } from './files/hosts-file.js';
export { buildResolvConfFile } from './files/resolv-conf-file.js';
export type { ResolvConfFileOptions } from './files/resolv-conf-file.js';

// --- host boundary (hostnet/) ---
export type { HostNet, IptablesTable } from './hostnet/host-net.js';
export { createLinuxHostNet } from './hostnet/linux-host-net.js';
export type { LinuxHostNetOptions } from './hostnet/linux-host-net.js';
export { NetworkNamespaces } from './network-namespaces.js';

// --- CNI plugins (cni/) ---
export { CNI_VERSION } from './cni/cni-plugins.js';
export type { CniPlugins, CniCommand, CniNetworkConfig, CniAttachment, CniCallOptions } from './cni/cni-plugins.js';
export {
  CniResultSchema,
  CniInterfaceSchema,
  CniIpConfigSchema,
  CniRouteSchema,
  CniVersionInfoSchema,
  CniErrorReportSchema,
} from './cni/cni-result.js';
export type { CniResult, CniInterface, CniIpConfig, CniRoute, CniVersionInfo, CniErrorReport } from './cni/cni-result.js';
export { CNI_ERROR_CODES, cniReportToError } from './cni/cni-error.js';
export { createExecCniPlugins, DEFAULT_CNI_PATH } from './cni/exec-cni-plugins.js';
export type { ExecCniPluginsOptions } from './cni/exec-cni-plugins.js';

// --- drivers (drivers/) ---
export { createBridgeDriver, bridgeNameOf, hostVethName } from './drivers/bridge-driver.js';
export { bridgeCniConfig } from './drivers/bridge-cni-config.js';
export type { BridgeCniConfigInput } from './drivers/bridge-cni-config.js';
export type { BridgeDriverOptions } from './drivers/bridge-driver.js';
export { bridgeChains } from './drivers/bridge-firewall.js';
export type { BridgeChains } from './drivers/bridge-firewall.js';
export { MemoryNetworkDriver, createMemoryDriver } from './drivers/memory-driver.js';
export type { MemoryEndpoint } from './drivers/memory-driver.js';
export { createHostDriver, createNoneDriver } from './drivers/namespace-mode-driver.js';
export { macAddressForIpv4 } from './drivers/mac-address.js';

// --- controller (service/) ---
export { NetworkController } from './service/network-controller.js';
export type {
  NetworkControllerOptions,
  NetworkCreateOptions,
  ConnectRequest,
  NetworkListFilter,
} from './service/network-controller.js';
export { createMemoryNetworkStore, createFileNetworkStore, NetworkSchema } from './service/network-store.js';
export type { NetworkStore } from './service/network-store.js';
