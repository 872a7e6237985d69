import { decodeDnsMessage, DNS_TYPE, dnsQuery, encodeDnsMessage, type DnsMessage } from '@berth/network';
import { describe, expect, it } from 'vitest';

describe('DNS message codec', () => {
  it('round-trips a query', () => {
    const query = dnsQuery(0x1234, 'web.example', DNS_TYPE.A);
    expect(decodeDnsMessage(encodeDnsMessage(query))).toEqual(query);
  });

  it('round-trips a response with A, AAAA, CNAME and raw records', () => {
    const message: DnsMessage = {
      ...dnsQuery(7, 'db', DNS_TYPE.A),
      response: true,
      authoritative: true,
      recursionAvailable: true,
      rcode: 0,
      answers: [
        { name: 'db', type: DNS_TYPE.A, class: 1, ttl: 600, data: '172.18.0.2' },
        { name: 'db', type: DNS_TYPE.AAAA, class: 1, ttl: 600, data: 'fd00::2' },
        { name: 'alias', type: DNS_TYPE.CNAME, class: 1, ttl: 60, data: 'db' },
      ],
      additionals: [{ name: '', type: 41, class: 1232, ttl: 0, data: new Uint8Array([1, 2, 3]) }],
    };
    expect(decodeDnsMessage(encodeDnsMessage(message))).toEqual(message);
  });

  it('refuses an address of the wrong family for the record type', () => {
    const message = { ...dnsQuery(1, 'x', DNS_TYPE.AAAA), answers: [{ name: 'x', type: DNS_TYPE.AAAA, class: 1, ttl: 1, data: '10.0.0.1' }] };
    expect(() => encodeDnsMessage(message)).toThrow(/AAAA record for x cannot hold 10.0.0.1/);
  });

  it('matches the RFC 1035 wire layout of a query', () => {
    const bytes = encodeDnsMessage(dnsQuery(0xabcd, 'a.bc', DNS_TYPE.AAAA));
    expect([...bytes]).toEqual([0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0x61, 2, 0x62, 0x63, 0, 0, 28, 0, 1]);
  });

  it('follows compression pointers and refuses loops and truncation', () => {
    const header = [0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0];
    const question = [3, 0x77, 0x77, 0x77, 0, 0, 1, 0, 1];
    const answer = [0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 7];
    const decoded = decodeDnsMessage(Uint8Array.from([...header, ...question, ...answer]));
    expect(decoded.answers).toEqual([{ name: 'www', type: 1, class: 1, ttl: 60, data: '10.0.0.7' }]);
    const loop = Uint8Array.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
    expect(() => decodeDnsMessage(loop)).toThrow(/compression loop/);
    expect(() => decodeDnsMessage(Uint8Array.from([0, 1, 0]))).toThrow(/malformed/);
    expect(() => decodeDnsMessage(Uint8Array.from([...header, ...question, 0xc0]))).toThrow(/malformed/);
  });
});
