/**
 * Splits one line of `iptables -S` output into arguments, honouring double quotes
 * (`--comment "a b"`) and backslash escapes inside them.
 */
export function splitIptablesLine(line: string): string[] {
  const args: string[] = [];
  let current = '';
  let quoted = false;
  let hasToken = false;
  for (let i = 0; i < line.length; i += 1) {
    const char = line[i] ?? '';
    if (quoted) {
      if (char === '\\' && i + 1 < line.length) {
        current += line[i + 1];
        i += 1;
      } else if (char === '"') quoted = false;
      else current += char;
    } else if (char === '"') {
      quoted = true;
      hasToken = true;
    } else if (char === ' ' || char === '\t') {
      if (hasToken) args.push(current);
      current = '';
      hasToken = false;
    } else {
      current += char;
      hasToken = true;
    }
  }
  if (hasToken) args.push(current);
  return args;
}
