import { InvalidArgumentError } from '@berth/errdefs';
import type { ImageReference } from './reference.js';

type PatternToken =
  | { readonly kind: 'literal'; readonly char: string }
  | { readonly kind: 'anyChar' }
  | { readonly kind: 'anyRun' }
  | { readonly kind: 'class'; readonly negated: boolean; readonly ranges: ReadonlyArray<readonly [string, string]> };

function badPattern(pattern: string): InvalidArgumentError {
  return new InvalidArgumentError('syntax error in pattern', { details: { pattern } });
}

/**
 * Compiles a Go `path.Match` pattern: `*` is any run of characters except `/`, `?` one
 * character except `/`, `[a-z]`/`[^a-z]` a character class, `\\x` a literal `x`.
 * Malformed patterns throw, as Go reports `ErrBadPattern` for them.
 */
function compilePattern(pattern: string): PatternToken[] {
  const chars = [...pattern];
  const tokens: PatternToken[] = [];
  let i = 0;
  const escaped = (): string => {
    let char = chars[i];
    if (char === undefined || char === '-' || char === ']') throw badPattern(pattern);
    if (char === '\\') {
      i++;
      char = chars[i];
      if (char === undefined) throw badPattern(pattern);
    }
    i++;
    return char;
  };
  while (i < chars.length) {
    const char = chars[i]!;
    if (char === '*') {
      if (tokens.at(-1)?.kind !== 'anyRun') tokens.push({ kind: 'anyRun' });
      i++;
    } else if (char === '?') {
      tokens.push({ kind: 'anyChar' });
      i++;
    } else if (char === '\\') {
      const next = chars[i + 1];
      if (next === undefined) throw badPattern(pattern);
      tokens.push({ kind: 'literal', char: next });
      i += 2;
    } else if (char === '[') {
      i++;
      const negated = chars[i] === '^';
      if (negated) i++;
      const ranges: Array<readonly [string, string]> = [];
      for (;;) {
        if (i >= chars.length) throw badPattern(pattern);
        if (chars[i] === ']' && ranges.length > 0) {
          i++;
          break;
        }
        const low = escaped();
        let high = low;
        if (chars[i] === '-') {
          i++;
          high = escaped();
        }
        ranges.push([low, high]);
      }
      tokens.push({ kind: 'class', negated, ranges });
    } else {
      tokens.push({ kind: 'literal', char });
      i++;
    }
  }
  return tokens;
}

function tokenMatches(token: PatternToken, char: string): boolean {
  switch (token.kind) {
    case 'literal':
      return token.char === char;
    case 'anyChar':
      return char !== '/';
    case 'class': {
      const inClass = token.ranges.some(([low, high]) => low <= char && char <= high);
      return inClass !== token.negated;
    }
    case 'anyRun':
      return char !== '/';
  }
}

/** Whether the whole of `text` matches the compiled pattern (dynamic programming, no backtracking blow-up). */
function matchTokens(tokens: readonly PatternToken[], text: string): boolean {
  const chars = [...text];
  // reachable[j]: the tokens consumed so far can end exactly before chars[j].
  let reachable = new Array<boolean>(chars.length + 1).fill(false);
  reachable[0] = true;
  for (const token of tokens) {
    const next = new Array<boolean>(chars.length + 1).fill(false);
    for (let j = 0; j <= chars.length; j++) {
      if (token.kind === 'anyRun') {
        // A run extends from any reachable position over characters other than '/'.
        if (reachable[j] || (j > 0 && next[j - 1] && chars[j - 1] !== '/')) next[j] = true;
      } else if (j > 0 && reachable[j - 1] && tokenMatches(token, chars[j - 1]!)) {
        next[j] = true;
      }
    }
    reachable = next;
  }
  return reachable[chars.length] === true;
}

/**
 * Whether an image reference matches a `reference=` filter pattern the way Docker
 * matches it (`FamiliarMatch`): the Go `path.Match` glob is tried against the familiar
 * reference (`busybox:latest`), then against the familiar name alone (`busybox`).
 * So `busy*` matches `busybox:latest`, `*:1.36` matches tag `1.36` of any Hub
 * official image, and `*` does not cross `/`.
 *
 * Throws `InvalidArgument` (`syntax error in pattern`) for a malformed pattern.
 */
export function referenceMatchesPattern(reference: ImageReference, pattern: string): boolean {
  const tokens = compilePattern(pattern);
  return matchTokens(tokens, reference.familiar) || matchTokens(tokens, reference.familiarName);
}
