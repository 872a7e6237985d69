import { InvalidArgumentError } from '@berth/errdefs';
import { parseTemplate, type Operand, type Pipeline, type TemplateNode } from './template-parse.js';

/**
 * A Go-template subset for `--format`, as docker's `text/template` use needs it: text with
 * `{{…}}` actions; pipelines of commands (`{{.X | json}}` pipes the left value in as the
 * last argument); fields (`.`, `.ID`, `.State.Status`, looked up case-insensitively so
 * camelCase data answers docker's names; a field that is a function is called with the
 * arguments, `{{.Label "com.example"}}`); variables (`$`, `$x := …`, `$x.Field`);
 * parenthesised pipelines; `if`/`else if`/`else`, `range` (lists and maps, with `$i, $v :=`,
 * and `else`), `with`; `{{- x -}}` trimming and comments (`{{/* … *\/}}`). Functions: docker's
 * (`json`, `upper`, `lower`, `title`, `join`, `split`, `pad`, `truncate`) and Go's (`index`,
 * `len`, `print`, `printf`, `println`, `and`, `or`, `not`, `eq`, `ne`, `lt`, `le`, `gt`, `ge`).
 */
export type CompiledTemplate = (data: unknown) => string;

/** Go's `%v` of a template value: `<no value>` for missing, `[a b]` for lists, `map[k:v]` for objects. */
export function renderValue(value: unknown): string {
  if (value === undefined || value === null) return '<no value>';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `[${value.map(renderValue).join(' ')}]`;
  if (value instanceof Map) return renderValue(Object.fromEntries(value));
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${entries.map(([k, v]) => `${k}:${renderValue(v)}`).join(' ')}]`;
  }
  return String(value);
}

/** Go's truth of a value (`if`, `with`, `and`, `or`, `not`): false, 0, nil and empty things are false. */
function truthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Map) return value.size > 0;
  if (typeof value === 'object' && !(value instanceof Date)) return Object.keys(value).length > 0;
  return true;
}

function compare(name: string, a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw new InvalidArgumentError(`template: error calling ${name}: incompatible types for comparison`);
}

/** `%s`, `%d`, `%v`, `%q`, `%%` of Go's fmt, with optional width (`%-10s`, `%5d`). */
function sprintf(format: unknown, ...args: unknown[]): string {
  let next = 0;
  return String(format).replace(/%(-?)(\d*)([sdvq%])/g, (_, left: string, width: string, verb: string) => {
    if (verb === '%') return '%';
    const value = args[next++];
    let text = verb === 'q' ? JSON.stringify(renderValue(value)) : verb === 'd' ? String(Math.trunc(Number(value))) : renderValue(value);
    const pad = Number(width || 0) - text.length;
    if (pad > 0) text = left ? text + ' '.repeat(pad) : ' '.repeat(pad) + text;
    return text;
  });
}

/** Go's fmt.Sprint: operands separated by a space when neither side is a string. */
function sprint(...values: unknown[]): string {
  return values.map((value, i) => (i > 0 && typeof value !== 'string' && typeof values[i - 1] !== 'string' ? ' ' : '') + renderValue(value)).join('');
}

/** The index of the first value matching `test`, else of the last one. */
function firstIndexOr(values: unknown[], test: (value: unknown) => boolean): number {
  const found = values.findIndex(test);
  return found >= 0 ? found : values.length - 1;
}

/** The functions templates may call, by name. */
export const TEMPLATE_FUNCTIONS: Readonly<Record<string, (...args: unknown[]) => unknown>> = {
  json: (value) => JSON.stringify(value ?? null),
  upper: (value) => renderValue(value).toUpperCase(),
  lower: (value) => renderValue(value).toLowerCase(),
  title: (value) => renderValue(value).replace(/\b\w/g, (c) => c.toUpperCase()),
  join: (list, separator) => (Array.isArray(list) ? list.map(renderValue).join(String(separator)) : renderValue(list)),
  split: (text, separator) => renderValue(text).split(String(separator)),
  pad: (value, before, after) => `${' '.repeat(Number(before))}${renderValue(value)}${' '.repeat(Number(after))}`,
  truncate: (value, length) => renderValue(value).slice(0, Number(length)),
  index: (container, ...keys) => keys.reduce<unknown>((value, key) => (value && typeof value === 'object' ? lookup(value, String(key)) : undefined), container),
  len: (value) => {
    if (typeof value === 'string' || Array.isArray(value)) return value.length;
    if (value instanceof Map) return value.size;
    if (value && typeof value === 'object') return Object.keys(value).length;
    throw new InvalidArgumentError(`template: error calling len: len of ${renderValue(value)}`);
  },
  print: (...values) => sprint(...values),
  printf: (format, ...values) => sprintf(format, ...values),
  println: (...values) => `${values.map(renderValue).join(' ')}\n`,
  // The first falsy (and) or truthy (or) operand itself — nil included — else the last.
  and: (...values) => values[firstIndexOr(values, (value) => !truthy(value))],
  or: (...values) => values[firstIndexOr(values, truthy)],
  not: (value) => !truthy(value),
  eq: (first, ...others) => others.some((other) => other === first || (other == null && first == null)),
  ne: (a, b) => a !== b,
  lt: (a, b) => compare('lt', a, b) < 0,
  le: (a, b) => compare('le', a, b) <= 0,
  gt: (a, b) => compare('gt', a, b) > 0,
  ge: (a, b) => compare('ge', a, b) >= 0,
};

/** Compiles `source`; a malformed template is `InvalidArgument` naming the problem. */
export function compileTemplate(source: string): CompiledTemplate {
  const nodes = parseTemplate(source, (name) => name in TEMPLATE_FUNCTIONS);
  return (data) => {
    const out: string[] = [];
    render(nodes, data, [new Map([['$', data]])], out);
    return out.join('');
  };
}

/** The field names a template reads of its data at top level (`{{.ID}}\t{{.Names}}` → ID, Names), for table headers. */
export function templateFields(source: string): string[] {
  const fields: string[] = [];
  const fromPipeline = (pipeline: Pipeline) => {
    for (const command of pipeline.commands) {
      for (const operand of command) {
        if (operand.kind === 'field' && operand.path.length > 0) fields.push(operand.path[0]!);
        if (operand.kind === 'sub') fromPipeline(operand.pipeline);
      }
    }
  };
  const walk = (nodes: TemplateNode[]) => {
    for (const node of nodes) {
      if (node.kind === 'action') fromPipeline(node.pipeline);
      else if (node.kind === 'if' || node.kind === 'with') {
        fromPipeline(node.pipeline);
        if (node.kind === 'if') walk(node.then);
        walk(node.otherwise);
      } else if (node.kind === 'range') {
        fromPipeline(node.pipeline);
        walk(node.otherwise);
      }
    }
  };
  walk(parseTemplate(source, (name) => name in TEMPLATE_FUNCTIONS));
  return fields;
}

type Scopes = Array<Map<string, unknown>>;

function variable(scopes: Scopes, name: string): unknown {
  for (let i = scopes.length - 1; i >= 0; i--) if (scopes[i]!.has(name)) return scopes[i]!.get(name);
  throw new InvalidArgumentError(`template: undefined variable "${name}"`);
}

function render(nodes: TemplateNode[], dot: unknown, scopes: Scopes, out: string[]): void {
  for (const node of nodes) {
    switch (node.kind) {
      case 'text':
        out.push(node.text);
        break;
      case 'action': {
        const value = evaluate(node.pipeline, dot, scopes);
        // A declaration (`{{$x := …}}`) prints nothing, as in Go.
        if (!node.pipeline.declare) out.push(renderValue(value));
        break;
      }
      case 'if': {
        const scope: Scopes = [...scopes, new Map()];
        render(truthy(evaluate(node.pipeline, dot, scope)) ? node.then : node.otherwise, dot, scope, out);
        break;
      }
      case 'with': {
        const scope: Scopes = [...scopes, new Map()];
        const value = evaluate(node.pipeline, dot, scope);
        if (truthy(value)) render(node.then, value, scope, out);
        else render(node.otherwise, dot, scope, out);
        break;
      }
      case 'range': {
        const scope: Scopes = [...scopes, new Map()];
        const items = rangeItems(evaluate({ ...node.pipeline, declare: undefined }, dot, scope));
        if (items.length === 0) {
          render(node.otherwise, dot, scope, out);
          break;
        }
        const [first, second] = node.pipeline.declare?.names ?? [];
        for (const [key, value] of items) {
          // `$v := list` binds the element; `$i, $v := list` the index (or map key) and the element.
          if (second !== undefined) {
            scope.at(-1)!.set(first!, key);
            scope.at(-1)!.set(second, value);
          } else if (first !== undefined) scope.at(-1)!.set(first, value);
          render(node.body, value, scope, out);
        }
        break;
      }
    }
  }
}

/** What `range` walks: a list's index and element, or a map's keys (sorted, as Go) and values. */
function rangeItems(value: unknown): Array<[unknown, unknown]> {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.map((item, i) => [i, item]);
  if (value instanceof Map) return [...value.entries()].sort(([a], [b]) => (String(a) < String(b) ? -1 : 1));
  if (typeof value === 'number' && Number.isInteger(value)) return Array.from({ length: Math.max(0, value) }, (_, i) => [i, i]);
  if (typeof value === 'object') return Object.keys(value).sort().map((key) => [key, (value as Record<string, unknown>)[key]]);
  throw new InvalidArgumentError(`template: range can't iterate over ${renderValue(value)}`);
}

function evaluate(pipeline: Pipeline, dot: unknown, scopes: Scopes): unknown {
  let piped: { value: unknown } | undefined;
  for (const command of pipeline.commands) {
    const [head, ...rest] = command;
    const args = rest.map((operand) => operandValue(operand, dot, scopes));
    if (piped) args.push(piped.value);
    let value: unknown;
    if (head!.kind === 'function') value = TEMPLATE_FUNCTIONS[head!.name]!(...args);
    else {
      value = operandValue(head!, dot, scopes);
      if (typeof value === 'function') value = (value as (...a: unknown[]) => unknown)(...args);
      else if (args.length > 0) throw new InvalidArgumentError(`template: can't give argument to non-function ${renderValue(value)}`);
    }
    piped = { value };
  }
  const result = piped?.value;
  if (pipeline.declare) {
    const [name] = pipeline.declare.names;
    if (pipeline.declare.assign) {
      const owner = [...scopes].reverse().find((scope) => scope.has(name!));
      if (!owner) throw new InvalidArgumentError(`template: undefined variable "${name}"`);
      owner.set(name!, result);
    } else scopes.at(-1)!.set(name!, result);
  }
  return result;
}

function operandValue(operand: Operand, dot: unknown, scopes: Scopes): unknown {
  switch (operand.kind) {
    case 'function':
      return TEMPLATE_FUNCTIONS[operand.name]!();
    case 'literal':
      return operand.value;
    case 'sub':
      return evaluate(operand.pipeline, dot, scopes);
    case 'variable':
      return walkPath(variable(scopes, operand.name), operand.path);
    case 'field':
      return walkPath(dot, operand.path);
  }
}

function walkPath(start: unknown, path: readonly string[]): unknown {
  let value = start;
  for (const name of path) {
    if (value === null || value === undefined || typeof value !== 'object') return undefined;
    value = lookup(value, name);
  }
  return value;
}

/** A field by Go name: exact, then case-insensitive (so `.State.Status` reads `state.status`). */
function lookup(object: object, name: string): unknown {
  if (object instanceof Map) return object.get(name);
  const record = object as Record<string, unknown>;
  if (name in record) return record[name];
  const lower = name.toLowerCase();
  const key = Object.keys(record).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : record[key];
}
