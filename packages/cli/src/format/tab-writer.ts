/**
 * Go's `tabwriter` as docker configures it for tables (minwidth 10, padding 3, spaces):
 * cells end at `\t`; every tab-terminated cell of a column is padded to the column's
 * widest cell plus 3, at least 10. The last cell of a line is written as it is.
 */
export function alignColumns(lines: readonly string[]): string[] {
  const rows = lines.map((line) => line.split('\t'));
  const widths: number[] = [];
  for (const cells of rows) {
    cells.slice(0, -1).forEach((cell, column) => {
      widths[column] = Math.max(widths[column] ?? 0, Math.max(10, displayWidth(cell) + 3));
    });
  }
  return rows.map((cells) =>
    cells.map((cell, column) => (column === cells.length - 1 ? cell : cell + ' '.repeat(widths[column]! - displayWidth(cell)))).join(''),
  );
}

function displayWidth(text: string): number {
  return [...text].length;
}
