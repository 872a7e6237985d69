import { errorCode } from '@berth/errdefs';
import { formatNetworkMode, ownsNetworkNamespace, parseNetworkMode } from '@berth/network';
import { describe, expect, it } from 'vitest';

describe('network modes', () => {
  it('parses docker --network values and formats them back', () => {
    expect(parseNetworkMode('default')).toEqual({ kind: 'bridge' });
    expect(parseNetworkMode('host')).toEqual({ kind: 'host' });
    expect(parseNetworkMode('none')).toEqual({ kind: 'none' });
    expect(parseNetworkMode('container:web')).toEqual({ kind: 'container', container: 'web' });
    expect(parseNetworkMode('appnet')).toEqual({ kind: 'network', network: 'appnet' });
    for (const text of ['bridge', 'host', 'none', 'container:abc', 'appnet']) expect(formatNetworkMode(parseNetworkMode(text))).toBe(text);
  });

  it('says who owns a namespace and refuses container: without a name', () => {
    expect(ownsNetworkNamespace(parseNetworkMode('host'))).toBe(false);
    expect(ownsNetworkNamespace(parseNetworkMode('container:x'))).toBe(false);
    expect(ownsNetworkNamespace(parseNetworkMode('none'))).toBe(true);
    try {
      parseNetworkMode('container:');
      expect.unreachable();
    } catch (error) {
      expect(errorCode(error)).toBe('InvalidArgument');
    }
  });
});
