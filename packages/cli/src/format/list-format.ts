import type { Writable } from 'node:stream';
import { compileTemplate, templateFields } from './template.js';
import { alignColumns } from './tab-writer.js';

/** How a listing command prints its rows. */
export interface ListLayout {
  /** The default table template (`table {{.ID}}\t{{.Image}}…`). */
  table: string;
  /** Column titles by field (`ID` → `CONTAINER ID`); others are the field in capitals. */
  headers: Readonly<Record<string, string>>;
  /** The field `-q` prints. */
  quietField: string;
}

/**
 * Prints `rows` as docker's `--format` asks: absent or `table` → the default table,
 * `table TEMPLATE` → a table of that template with headers, `json` → one JSON object per
 * line, anything else → the template once per row. `\t` and `\n` typed literally work,
 * as in docker. `quiet` prints only the quiet field (unless a format is given).
 */
export function writeList(out: Writable, rows: readonly object[], format: string | undefined, layout: ListLayout, quiet = false): void {
  const text = format?.trim() ?? '';
  if (quiet && text === '') {
    for (const row of rows) out.write(`${compileTemplate(`{{.${layout.quietField}}}`)(row)}\n`);
    return;
  }
  if (text === 'json') {
    for (const row of rows) out.write(`${JSON.stringify(row)}\n`);
    return;
  }
  const isTable = text === '' || text === 'table' || text.startsWith('table ');
  const body = unescape(text === '' || text === 'table' ? layout.table.slice('table '.length) : isTable ? text.slice('table '.length).trim() : text);
  const render = compileTemplate(body);
  if (!isTable) {
    for (const row of rows) out.write(`${render(row)}\n`);
    return;
  }
  const header = compileTemplate(body)(headerRow(body, layout.headers));
  const lines = [header, ...rows.map((row) => render(row))].flatMap((line) => line.split('\n'));
  for (const line of alignColumns(lines)) out.write(`${line.trimEnd()}\n`);
}

/**
 * Whether a listing's `--format` reads `field` of its rows (docker's `FieldsUsed`, case as
 * the template lookup: insensitive). docker's `ps` asks for sizes when `.Size` is read, as
 * measuring costs. The default table and `json` read only what they print.
 */
export function formatReadsField(format: string | undefined, field: string): boolean {
  const text = format?.trim() ?? '';
  if (text === '' || text === 'table' || text === 'json') return false;
  const body = unescape(text.startsWith('table ') ? text.slice('table '.length).trim() : text);
  try {
    return templateFields(body).some((name) => name.toLowerCase() === field.toLowerCase());
  } catch {
    // A template that does not parse fails with its message when the rows are printed.
    return false;
  }
}

/** Prints one object per template evaluation (inspect-style `--format`), or as indented JSON. */
export function writeObjects(out: Writable, objects: readonly unknown[], format: string | undefined): void {
  const text = format?.trim() ?? '';
  if (text === '' || text === 'json') {
    out.write(`${JSON.stringify(objects, null, 4)}\n`);
    return;
  }
  const render = compileTemplate(unescape(text));
  for (const object of objects) out.write(`${render(object)}\n`);
}

function unescape(format: string): string {
  return format.replaceAll('\\t', '\t').replaceAll('\\n', '\n');
}

/** A stand-in row whose every field is its column title, so the template renders the header line. */
function headerRow(_template: string, headers: Readonly<Record<string, string>>): object {
  return new Proxy(
    {},
    {
      has: () => true,
      get: (_target, key) => {
        if (typeof key !== 'string') return undefined;
        const title = headers[key] ?? Object.entries(headers).find(([field]) => field.toLowerCase() === key.toLowerCase())?.[1];
        return title ?? key.replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
      },
      ownKeys: () => [],
    },
  );
}
