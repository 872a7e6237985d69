/** Quotes a string for `sh`: everything inside single quotes is literal. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
