/** A range subnets are carved from: `base` split into subnets of prefix `size`. */
export interface AddressPool {
  base: string;
  size: number;
}

/**
 * Docker's default local address pools: 172.17–31.0.0/16 one network each, then
 * 192.168.0.0/16 in /20s. The first free one goes to the default bridge.
 */
export const DEFAULT_ADDRESS_POOLS: readonly AddressPool[] = [
  ...Array.from({ length: 15 }, (_, i) => ({ base: `172.${17 + i}.0.0/16`, size: 16 })),
  { base: '192.168.0.0/16', size: 20 },
];

/** Where IPv6 subnets come from when a network enables IPv6 without naming a subnet (ULA /64s). */
export const DEFAULT_IPV6_POOLS: readonly AddressPool[] = [{ base: 'fd42:b3e7:0::/48', size: 64 }];
