import { InvalidArgumentError } from '@berth/errdefs';

/**
 * A Go-template subset for `--format`: text with `{{…}}` actions, each a pipeline of
 * commands. A command is a field chain (`.`, `.ID`, `.State.Status`, looked up
 * case-insensitively so camelCase data answers docker's names), a quoted string, or a
 * function applied to arguments: `json`, `upper`, `lower`, `title`, `join LIST SEP`,
 * `index MAP KEY`, `truncate S N`, `println`. `{{.X | json}}` pipes the left value in as
 * the last argument. A field that is a function is called with the arguments
 * (`{{.Label "com.example"}}`). No `range`/`if`: enough for docker's common formats.
 */
export type CompiledTemplate = (data: unknown) => string;

type Node = { text: string } | { pipeline: Command[] };
type Operand = { field: string[] } | { literal: string } | { number: number } | { fn: string };
type Command = { operands: Operand[] };

const FUNCTIONS: Record<string, (...args: unknown[]) => unknown> = {
  json: (value) => JSON.stringify(value ?? null),
  upper: (value) => renderValue(value).toUpperCase(),
  lower: (value) => renderValue(value).toLowerCase(),
  title: (value) => renderValue(value).replace(/\b\w/g, (c) => c.toUpperCase()),
  join: (list, separator) => (Array.isArray(list) ? list.map(renderValue).join(String(separator)) : renderValue(list)),
  index: (container, key) => (container && typeof container === 'object' ? lookup(container, String(key)) : undefined),
  truncate: (value, length) => renderValue(value).slice(0, Number(length)),
  println: (...values) => `${values.map(renderValue).join(' ')}\n`,
};

/** Compiles `source`; a malformed template is `InvalidArgument` naming the problem. */
export function compileTemplate(source: string): CompiledTemplate {
  const nodes = parseTemplate(source);
  return (data) => nodes.map((node) => ('text' in node ? node.text : renderValue(evaluatePipeline(node.pipeline, data)))).join('');
}

/** The field names a template reads at top level (`{{.ID}}\t{{.Names}}` → ID, Names), for table headers. */
export function templateFields(source: string): string[] {
  return parseTemplate(source).flatMap((node) =>
    'pipeline' in node ? node.pipeline.flatMap((command) => command.operands.flatMap((o) => ('field' in o && o.field.length > 0 ? [o.field[0]!] : []))) : [],
  );
}

/** Go's `%v` of a template value: `<no value>` for missing, `[a b]` for lists, `map[k:v]` for objects. */
export function renderValue(value: unknown): string {
  if (value === undefined || value === null) return '<no value>';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `[${value.map(renderValue).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${entries.map(([k, v]) => `${k}:${renderValue(v)}`).join(' ')}]`;
  }
  return String(value);
}

function parseTemplate(source: string): Node[] {
  const nodes: Node[] = [];
  let rest = source;
  while (rest.length > 0) {
    const open = rest.indexOf('{{');
    if (open === -1) {
      nodes.push({ text: rest });
      break;
    }
    if (open > 0) nodes.push({ text: rest.slice(0, open) });
    const close = rest.indexOf('}}', open);
    if (close === -1) throw new InvalidArgumentError(`template parsing error: template: :1: unclosed action in ${JSON.stringify(source)}`);
    let body = rest.slice(open + 2, close);
    // `{{- x -}}` trims the surrounding white space, as Go's.
    if (body.startsWith('- ')) {
      body = body.slice(2);
      const last = nodes.at(-1);
      if (last && 'text' in last) last.text = last.text.trimEnd();
    }
    let trimAfter = false;
    if (body.endsWith(' -')) {
      body = body.slice(0, -2);
      trimAfter = true;
    }
    nodes.push({ pipeline: parsePipeline(body.trim(), source) });
    rest = rest.slice(close + 2);
    if (trimAfter) rest = rest.trimStart();
  }
  return nodes;
}

function parsePipeline(body: string, source: string): Command[] {
  if (body === '') throw new InvalidArgumentError(`template parsing error: template: :1: missing value for command in ${JSON.stringify(source)}`);
  const words = tokenize(body, source);
  const commands: Command[] = [];
  let current: Operand[] = [];
  for (const word of words) {
    if (word === '|') {
      if (current.length === 0) throw new InvalidArgumentError(`template parsing error: missing command before '|' in ${JSON.stringify(source)}`);
      commands.push({ operands: current });
      current = [];
      continue;
    }
    current.push(parseOperand(word, source));
  }
  if (current.length === 0) throw new InvalidArgumentError(`template parsing error: missing command after '|' in ${JSON.stringify(source)}`);
  commands.push({ operands: current });
  return commands;
}

function tokenize(body: string, source: string): string[] {
  const words: string[] = [];
  const pattern = /\s*("(?:[^"\\]|\\.)*"|`[^`]*`|\||[^\s|"`]+)/gy;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(body)) !== null) words.push(match[1]!);
  if (pattern.lastIndex !== 0 && body.slice(pattern.lastIndex).trim() !== '') {
    throw new InvalidArgumentError(`template parsing error: unexpected ${JSON.stringify(body.slice(pattern.lastIndex))} in ${JSON.stringify(source)}`);
  }
  return words;
}

function parseOperand(word: string, source: string): Operand {
  if (word.startsWith('"')) return { literal: JSON.parse(word) as string };
  if (word.startsWith('`')) return { literal: word.slice(1, -1) };
  if (/^-?\d+$/.test(word)) return { number: Number(word) };
  if (word === '.') return { field: [] };
  if (word.startsWith('.')) return { field: word.slice(1).split('.') };
  if (word in FUNCTIONS) return { fn: word };
  throw new InvalidArgumentError(`template parsing error: template: :1: function "${word}" not defined in ${JSON.stringify(source)}`);
}

function evaluatePipeline(pipeline: Command[], data: unknown): unknown {
  let piped: { value: unknown } | undefined;
  for (const command of pipeline) {
    const [head, ...rest] = command.operands;
    const args = rest.map((operand) => operandValue(operand, data));
    if (piped) args.push(piped.value);
    let value: unknown;
    if ('fn' in head!) value = FUNCTIONS[head.fn]!(...args);
    else {
      value = operandValue(head!, data);
      if (typeof value === 'function') value = (value as (...a: unknown[]) => unknown)(...args);
    }
    piped = { value };
  }
  return piped?.value;
}

function operandValue(operand: Operand, data: unknown): unknown {
  if ('fn' in operand) return FUNCTIONS[operand.fn]!();
  if ('literal' in operand) return operand.literal;
  if ('number' in operand) return operand.number;
  let value: unknown = data;
  for (const name of operand.field) {
    if (value === null || value === undefined || typeof value !== 'object') return undefined;
    value = lookup(value as object, name);
  }
  return value;
}

/** A field by Go name: exact, then case-insensitive (so `.State.Status` reads `state.status`). */
function lookup(object: object, name: string): unknown {
  const record = object as Record<string, unknown>;
  if (name in record) return record[name];
  if (object instanceof Map) return object.get(name);
  const lower = name.toLowerCase();
  const key = Object.keys(record).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : record[key];
}
