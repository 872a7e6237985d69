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

describe('RecordingHostNet inside a namespace', () => {
  it('applies iptables-restore text all or nothing, flushing declared chains, and forgets it with the namespace', async () => {
    const hostNet = new RecordingHostNet();
    const host = hostNet.chains();
    await hostNet.createNetns('/ns/a');
    await hostNet.restoreIptables('*nat\n:BERTH-X - [0:0]\n-A OUTPUT -d 127.0.0.11/32 -j BERTH-X\n-A BERTH-X -p udp -j DNAT --to-destination 10.0.0.1:53\nCOMMIT\n', '/ns/a');
    await hostNet.restoreIptables('*nat\n:BERTH-X - [0:0]\n-A BERTH-X -p tcp -j DNAT --to-destination 10.0.0.9:53\nCOMMIT\n', '/ns/a');
    expect(hostNet.chains('/ns/a').get('nat|OUTPUT')).toEqual([['-d', '127.0.0.11/32', '-j', 'BERTH-X']]);
    expect(hostNet.chains('/ns/a').get('nat|BERTH-X')).toEqual([['-p', 'tcp', '-j', 'DNAT', '--to-destination', '10.0.0.9:53']]);
    // A jump to a missing chain fails the whole restore.
    await expect(hostNet.restoreIptables('*nat\n:BERTH-Y - [0:0]\n-A OUTPUT -j BERTH-Z\nCOMMIT\n', '/ns/a')).rejects.toThrow(/BERTH-Z/);
    expect(hostNet.chains('/ns/a').has('nat|BERTH-Y')).toBe(false);
    await expect(hostNet.restoreIptables('*nat\nCOMMIT\n', '/ns/missing')).rejects.toThrow(/missing/);
    await hostNet.replaceLocalRoute('127.0.0.11', '10.0.0.2', '/ns/a');
    await hostNet.replaceLocalRoute('127.0.0.11', '10.0.0.3', '/ns/a');
    expect(hostNet.localRoutes()).toEqual([{ netns: '/ns/a', address: '127.0.0.11', source: '10.0.0.3' }]);
    expect(hostNet.chains()).toEqual(host);
    await hostNet.deleteNetns('/ns/a');
    expect(hostNet.chains('/ns/a').size).toBe(0);
    expect(hostNet.localRoutes()).toEqual([]);
  });
});
