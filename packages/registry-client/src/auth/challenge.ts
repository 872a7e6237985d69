/** One authentication challenge from a `WWW-Authenticate` header. */
export interface AuthChallenge {
  /** Lower-cased scheme: `basic`, `bearer`, … */
  scheme: string;
  /** Parameters (`realm`, `service`, `scope`, `error`), keys lower-cased. */
  params: Record<string, string>;
}

/**
 * Parses a `WWW-Authenticate` header (RFC 7235): one or more challenges, each a scheme
 * followed by comma-separated `key=value` or `key="quoted value"` parameters.
 */
export function parseChallenges(header: string | string[] | undefined): AuthChallenge[] {
  if (header === undefined) return [];
  const text = Array.isArray(header) ? header.join(', ') : header;
  const challenges: AuthChallenge[] = [];
  let i = 0;
  const skipSpaceAndCommas = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === ',')) i++;
  };
  const readToken = () => {
    const start = i;
    while (i < text.length && !/[\s,=]/.test(text[i]!)) i++;
    return text.slice(start, i);
  };
  let current: AuthChallenge | undefined;
  while (i < text.length) {
    skipSpaceAndCommas();
    if (i >= text.length) break;
    const token = readToken();
    let j = i;
    while (j < text.length && text[j] === ' ') j++;
    if (text[j] === '=' && current) {
      i = j + 1;
      while (i < text.length && text[i] === ' ') i++;
      current.params[token.toLowerCase()] = readValue();
    } else if (token) {
      current = { scheme: token.toLowerCase(), params: {} };
      challenges.push(current);
    } else {
      i++;
    }
  }
  return challenges;

  function readValue(): string {
    if (text[i] !== '"') return readToken();
    i++;
    let value = '';
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\' && i + 1 < text.length) i++;
      value += text[i];
      i++;
    }
    i++;
    return value;
  }
}
