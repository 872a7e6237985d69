/**
 * The next-page URL of a paginated list (`tags/list`, `_catalog`) from its RFC 5988
 * `Link: </v2/…?last=x&n=100>; rel="next"` header, or `undefined` on the last page.
 */
export function nextPageLink(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const values = Array.isArray(header) ? header : [header];
  for (const value of values) {
    for (const part of value.split(/,(?=\s*<)/)) {
      const match = /^\s*<([^>]*)>\s*(.*)$/.exec(part);
      if (match && /rel="?next"?/.test(match[2]!)) return match[1];
    }
  }
  return undefined;
}
