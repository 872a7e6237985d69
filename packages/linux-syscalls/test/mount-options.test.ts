import {
  MS_BIND,
  MS_NOATIME,
  MS_NODEV,
  MS_NOEXEC,
  MS_NOSUID,
  MS_PRIVATE,
  MS_RDONLY,
  MS_REC,
  MS_RELATIME,
  MS_REMOUNT,
  MS_SLAVE,
  splitMountOptions,
} from '@berth/linux-syscalls';
import { describe, expect, it } from 'vitest';

describe('splitMountOptions', () => {
  it('turns flag words into MS_ flags and leaves no data', () => {
    expect(splitMountOptions('ro,nosuid,nodev')).toEqual({ flags: MS_RDONLY | MS_NOSUID | MS_NODEV, data: '', propagation: 0 });
  });

  it('passes file-system options on as data, in order', () => {
    expect(splitMountOptions(['lowerdir=/a:/b', 'upperdir=/u', 'workdir=/w', 'index=off'])).toEqual({
      flags: 0,
      data: 'lowerdir=/a:/b,upperdir=/u,workdir=/w,index=off',
      propagation: 0,
    });
  });

  it('separates flags from data when they are mixed', () => {
    const split = splitMountOptions('noexec,size=65536k,noatime,mode=755');
    expect(split.flags).toBe(MS_NOEXEC | MS_NOATIME);
    expect(split.data).toBe('size=65536k,mode=755');
  });

  it('lets later words override earlier ones, as mount(8) does', () => {
    expect(splitMountOptions('ro,rw').flags).toBe(0);
    expect(splitMountOptions('rw,ro').flags).toBe(MS_RDONLY);
    expect(splitMountOptions('nosuid,suid,relatime').flags).toBe(MS_RELATIME);
  });

  it('maps bind, rbind and remount', () => {
    expect(splitMountOptions(['bind']).flags).toBe(MS_BIND);
    expect(splitMountOptions(['rbind', 'rw']).flags).toBe(MS_BIND | MS_REC);
    expect(splitMountOptions('remount,bind,ro').flags).toBe(MS_REMOUNT | MS_BIND | MS_RDONLY);
  });

  it('keeps propagation apart from the mount flags', () => {
    expect(splitMountOptions('rbind,rprivate')).toEqual({ flags: MS_BIND | MS_REC, data: '', propagation: MS_PRIVATE | MS_REC });
    expect(splitMountOptions('slave').propagation).toBe(MS_SLAVE);
  });

  it('ignores empty words and defaults', () => {
    expect(splitMountOptions('')).toEqual({ flags: 0, data: '', propagation: 0 });
    expect(splitMountOptions(',defaults,,mode=700,')).toEqual({ flags: 0, data: 'mode=700', propagation: 0 });
  });

  it('leaves words only mount(8) understands in data, where the kernel refuses them', () => {
    expect(splitMountOptions('nofail,x-systemd.automount,ro').data).toBe('nofail,x-systemd.automount');
  });
});
