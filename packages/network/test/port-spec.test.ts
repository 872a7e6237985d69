import { errorCode } from '@berth/errdefs';
import { parseExposedPort, parsePortSpec, parsePortSpecs, publishAllRequests } from '@berth/network';
import { describe, expect, it } from 'vitest';

describe('port specs (docker -p rules)', () => {
  it('parses the container-only form as a random host port on all addresses', () => {
    expect(parsePortSpec('80')).toEqual([{ containerPort: 80, protocol: 'tcp', hostIp: '', hostPortRange: [0, 0] }]);
  });

  it('parses host:container, ip:host:container and ip::container', () => {
    expect(parsePortSpec('8080:80')).toEqual([{ containerPort: 80, protocol: 'tcp', hostIp: '', hostPortRange: [8080, 8080] }]);
    expect(parsePortSpec('127.0.0.1:8080:80/udp')).toEqual([{ containerPort: 80, protocol: 'udp', hostIp: '127.0.0.1', hostPortRange: [8080, 8080] }]);
    expect(parsePortSpec('127.0.0.1::80')).toEqual([{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPortRange: [0, 0] }]);
    expect(parsePortSpec('[::1]:8080:80')[0]?.hostIp).toBe('::1');
    expect(parsePortSpec('::1:8080:80')[0]?.hostIp).toBe('::1');
  });

  it('pairs host and container ranges, or offers a host range for one container port', () => {
    expect(parsePortSpec('8000-8001:80-81/tcp').map((m) => [m.hostPortRange, m.containerPort])).toEqual([
      [[8000, 8000], 80],
      [[8001, 8001], 81],
    ]);
    expect(parsePortSpec('8000-8010:80')).toEqual([{ containerPort: 80, protocol: 'tcp', hostIp: '', hostPortRange: [8000, 8010] }]);
    expect(parsePortSpec('80-82').map((m) => m.containerPort)).toEqual([80, 81, 82]);
  });

  it('rejects what docker rejects', () => {
    for (const bad of ['8000-8002:80-81', 'x:80', '1.2.3.4.5:80:80', '80/ftp', '70000', '8080:', '81-80', '0']) {
      expect(() => parsePortSpec(bad), bad).toThrow();
      try {
        parsePortSpec(bad);
      } catch (error) {
        expect(errorCode(error)).toBe('InvalidArgument');
      }
    }
  });

  it('collects exposed ports from specs and expands publish-all', () => {
    expect(parsePortSpecs(['80', '8080:80', '53/udp']).exposed).toEqual(['80/tcp', '53/udp']);
    expect(parseExposedPort('8000-8002/udp')).toEqual(['8000/udp', '8001/udp', '8002/udp']);
    expect(publishAllRequests(['80/tcp', '53/udp'])).toEqual([
      { containerPort: 80, protocol: 'tcp', hostIp: '', hostPortRange: [0, 0] },
      { containerPort: 53, protocol: 'udp', hostIp: '', hostPortRange: [0, 0] },
    ]);
  });
});
