import { errorCode } from '@berth/errdefs';
import { describe, expect, it } from 'vitest';
import { resolveUser } from '../../src/config/resolve-user.js';
import { userDatabase } from '../../src/config/user-database.js';

const db = userDatabase(
  ['root:x:0:0:root:/root:/bin/sh', 'daemon:x:1:1::/usr/sbin:/bin/false', '# comment', 'app:x:1000:1000:App:/home/app:/bin/sh', 'broken'].join('\n'),
  ['root:x:0:', 'wheel:x:10:root,app', 'app:x:1000:', 'staff:x:50:app', 'audio:x:29:'].join('\n'),
);

describe('resolveUser', () => {
  it('resolves the default user to root with its groups and home', () => {
    expect(resolveUser('', db)).toEqual({ uid: 0, gid: 0, additionalGids: [0, 10], home: '/root', username: 'root' });
  });

  it('resolves names and uids through passwd, with supplementary groups', () => {
    expect(resolveUser('app', db)).toEqual({ uid: 1000, gid: 1000, additionalGids: [1000, 10, 50], home: '/home/app', username: 'app' });
    expect(resolveUser('1000', db)).toMatchObject({ uid: 1000, gid: 1000, home: '/home/app' });
  });

  it('accepts an unknown uid with gid 0 and home /', () => {
    expect(resolveUser('4242', db)).toEqual({ uid: 4242, gid: 0, additionalGids: [0], home: '/' });
  });

  it('uses an explicit group (name or gid) and then adds no supplementary groups', () => {
    expect(resolveUser('app:audio', db)).toMatchObject({ uid: 1000, gid: 29, additionalGids: [29] });
    expect(resolveUser('app:777', db)).toMatchObject({ gid: 777, additionalGids: [777] });
    expect(resolveUser('4242:4343', db)).toMatchObject({ uid: 4242, gid: 4343 });
  });

  it('appends groupAdd entries', () => {
    expect(resolveUser('daemon', db, ['audio', '5000']).additionalGids).toEqual([1, 29, 5000]);
  });

  it("refuses unknown names with runc's words", () => {
    expect(() => resolveUser('nobody', db)).toThrow('unable to find user nobody: no matching entries in passwd file');
    expect(() => resolveUser('app:nogroup', db)).toThrow('unable to find group nogroup: no matching entries in group file');
    try {
      resolveUser('ghost', userDatabase(undefined, undefined));
    } catch (err) {
      expect(errorCode(err)).toBe('InvalidArgument');
    }
  });

  it('refuses ids out of range', () => {
    expect(() => resolveUser('2147483648', db)).toThrow(/range/);
  });
});
