import { describe, expect, it } from 'vitest';
import { parseNetDev } from '../../src/runc/network-stats.js';

const sample = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     196       2    0    0    0     0          0         0      196       2    0    0    0     0       0          0
  eth0:    1046      11    1    2    0     0          0         0      742       9    3    4    0     0       0          0
`;

describe('parseNetDev', () => {
  it('reads rx/tx bytes, packets, errors and drops per interface, without lo', () => {
    expect(parseNetDev(sample)).toEqual({
      eth0: { rxBytes: 1046, rxPackets: 11, rxErrors: 1, rxDropped: 2, txBytes: 742, txPackets: 9, txErrors: 3, txDropped: 4 },
    });
  });

  it('skips malformed lines', () => {
    expect(parseNetDev('header\nheader\n eth1: 1 2 3\nbroken line\n')).toEqual({});
  });
});
