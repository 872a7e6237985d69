/** One member of a hand-made tar: a file (default), a symlink (`2`), a hardlink (`1`) or a directory (`5`). */
export interface TarEntry {
  name: string;
  type?: '0' | '1' | '2' | '5';
  /** Target of a link. */
  link?: string;
  data?: string | Buffer;
}

/**
 * Builds a ustar archive byte by byte, names and link targets exactly as given (`../x`,
 * `/abs`): archive libraries sanitize them, and hostile archives are what tests need.
 */
export function tarOf(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const type = entry.type ?? '0';
    const data = type === '0' ? Buffer.from(entry.data ?? '') : Buffer.alloc(0);
    const header = Buffer.alloc(512);
    header.write(entry.name.slice(0, 100), 0);
    header.write(type === '5' ? '0000755\0' : '0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    header.write(`${Math.floor(Date.now() / 1000).toString(8).padStart(11, '0')}\0`, 136);
    header.write('        ', 148);
    header.write(type, 156);
    header.write((entry.link ?? '').slice(0, 100), 157);
    header.write('ustar\0', 257);
    header.write('00', 263);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    parts.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}
