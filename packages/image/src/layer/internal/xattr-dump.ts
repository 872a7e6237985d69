/**
 * Escapes a path for the `# file:` lines of a `getfattr` dump, as `setfattr --restore`
 * reads them back: every byte that is not a safe printable ASCII character becomes `\ooo`.
 */
export function escapeDumpPath(path: string): string {
  let out = '';
  for (const byte of Buffer.from(path)) {
    const safe = byte > 0x20 && byte < 0x7f && byte !== 0x5c && byte !== 0x3d;
    out += safe ? String.fromCharCode(byte) : `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return out;
}

/** Reverses the `\ooo` escapes of a `getfattr` dump path (bytes, then UTF-8). */
export function unescapeDumpPath(escaped: string): string {
  if (!escaped.includes('\\')) return escaped;
  const bytes: number[] = [];
  const raw = Buffer.from(escaped, 'utf8');
  for (let i = 0; i < raw.length; i += 1) {
    if (raw[i] === 0x5c && i + 3 < raw.length && /^[0-7]{3}$/.test(raw.toString('latin1', i + 1, i + 4))) {
      bytes.push(parseInt(raw.toString('latin1', i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(raw[i]!);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
