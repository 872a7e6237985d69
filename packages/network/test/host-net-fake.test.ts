import { NetworkNamespaces } from '@berth/network';
import { RecordingHostNet } from '@berth/network/testing';
import { describe, expect, it } from 'vitest';
import { splitIptablesLine } from '../src/hostnet/iptables-rule-text.js';

describe('iptables -S lines', () => {
  it('splits arguments, keeping quoted comments whole', () => {
    expect(splitIptablesLine('-A BERTH-DNAT -p tcp -m comment --comment "berth:br x" -j DNAT --to-destination 10.0.0.2:80')).toEqual([
      '-A', 'BERTH-DNAT', '-p', 'tcp', '-m', 'comment', '--comment', 'berth:br x', '-j', 'DNAT', '--to-destination', '10.0.0.2:80',
    ]);
    expect(splitIptablesLine('-A X -m comment --comment "say \\"hi\\"" -j ACCEPT')).toContain('say "hi"');
    expect(splitIptablesLine('-A X --comment ""')).toEqual(['-A', 'X', '--comment', '']);
  });
});

describe('NetworkNamespaces over the recording HostNet', () => {
  it('creates one namespace file per container under its directory, and removing it takes its links', async () => {
    const hostNet = new RecordingHostNet();
    const namespaces = new NetworkNamespaces(hostNet, '/state/netns');
    const path = await namespaces.create('abc');
    expect(path).toBe('/state/netns/abc');
    expect(await namespaces.create('abc')).toBe(path);
    expect(hostNet.callsOf('createNetns')).toEqual([[path]]);
    await hostNet.addVethPair('vethA', 'peerA');
    await hostNet.moveLinkToNetns('peerA', path);
    await namespaces.remove('abc');
    await namespaces.remove('abc');
    expect(hostNet.namespaces()).toEqual([]);
    expect(hostNet.links()).toEqual([]);
    expect(() => namespaces.pathOf('../escape')).toThrow(/invalid container id/);
  });
});
