import { errorCode } from '@berth/errdefs';
import { buildHostnameFile, buildHostsFile, buildResolvConfFile, EMBEDDED_DNS_ADDRESS, embeddedDnsUpstreams, parseExtraHosts, parseResolvConf } from '@berth/network';
import { describe, expect, it } from 'vitest';

describe('container network files', () => {
  it('writes /etc/hosts like docker, with extra hosts and the container entry', () => {
    const text = buildHostsFile({
      hostname: 'abc123',
      addresses: ['172.18.0.2/16'],
      extraHosts: parseExtraHosts(['db:10.0.0.5', 'host.docker.internal:host-gateway', 'v6=[::1]'], '172.17.0.1'),
    });
    expect(text).toBe(
      [
        '127.0.0.1\tlocalhost',
        '::1\tlocalhost ip6-localhost ip6-loopback',
        'fe00::0\tip6-localnet',
        'ff00::0\tip6-mcastprefix',
        'ff02::1\tip6-allnodes',
        'ff02::2\tip6-allrouters',
        '10.0.0.5\tdb',
        '172.17.0.1\thost.docker.internal',
        '::1\tv6',
        '172.18.0.2\tabc123',
        '',
      ].join('\n'),
    );
    expect(buildHostsFile({ hostname: 'h', domainname: 'example.org', addresses: ['10.0.0.2'], ipv6: false })).toBe('127.0.0.1\tlocalhost\n10.0.0.2\th.example.org h\n');
  });

  it('refuses bad extra hosts and host-gateway without a gateway', () => {
    for (const [entry, gateway] of [['nohost', undefined], ['x:notanip', undefined], ['x:host-gateway', undefined]] as const) {
      try {
        parseExtraHosts([entry], gateway);
        expect.unreachable(entry);
      } catch (error) {
        expect(errorCode(error)).toBe('InvalidArgument');
      }
    }
  });

  it('writes resolv.conf pointing at the embedded DNS on user networks, host resolvers otherwise', () => {
    const host = parseResolvConf('# comment\nnameserver 127.0.0.53\nnameserver 10.0.0.2\nsearch corp.example\noptions edns0\n');
    expect(host).toEqual({ nameservers: ['127.0.0.53', '10.0.0.2'], search: ['corp.example'], options: ['edns0'] });
    // docker's: the embedded DNS at 127.0.0.11 only, the host's search and options, ndots:0.
    expect(buildResolvConfFile({ host, embeddedDns: EMBEDDED_DNS_ADDRESS, dns: ['1.1.1.1'] })).toBe('nameserver 127.0.0.11\nsearch corp.example\noptions edns0 ndots:0\n');
    expect(buildResolvConfFile({ host, embeddedDns: EMBEDDED_DNS_ADDRESS, dnsOptions: ['ndots:3'] })).toBe('nameserver 127.0.0.11\nsearch corp.example\noptions ndots:3\n');
    expect(buildResolvConfFile({ host })).toBe('nameserver 10.0.0.2\nsearch corp.example\noptions edns0\n');
    expect(buildResolvConfFile({ host: parseResolvConf('nameserver 127.0.0.53\n') })).toBe('nameserver 8.8.8.8\nnameserver 8.8.4.4\n');
    // The embedded DNS runs on the host, where a loopback resolver answers: it forwards there.
    expect(embeddedDnsUpstreams(parseResolvConf('nameserver 127.0.0.53\nnameserver 10.0.0.2\n'))).toEqual(['127.0.0.53', '10.0.0.2']);
    expect(embeddedDnsUpstreams(parseResolvConf(''))).toEqual(['8.8.8.8', '8.8.4.4']);
    expect(buildResolvConfFile({ host, dns: ['1.1.1.1'], dnsSearch: ['a.b'], dnsOptions: ['ndots:2'] })).toBe('nameserver 1.1.1.1\nsearch a.b\noptions ndots:2\n');
  });

  it('writes /etc/hostname', () => {
    expect(buildHostnameFile('abc')).toBe('abc\n');
  });
});
