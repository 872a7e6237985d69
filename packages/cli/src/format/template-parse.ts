import { InvalidArgumentError } from '@berth/errdefs';

/** One argument or command head of a pipeline. */
export type Operand =
  | { kind: 'field'; path: string[] }
  | { kind: 'variable'; name: string; path: string[] }
  | { kind: 'literal'; value: unknown }
  | { kind: 'function'; name: string }
  | { kind: 'sub'; pipeline: Pipeline };

/** `cmd | cmd | …`, optionally declaring (`$x := …`, `$i, $v := …` in `range`) or assigning (`$x = …`). */
export interface Pipeline {
  declare?: { names: string[]; assign: boolean } | undefined;
  commands: Operand[][];
}

/** The parsed template: text, printed pipelines and control structures. */
export type TemplateNode =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipeline: Pipeline }
  | { kind: 'if'; pipeline: Pipeline; then: TemplateNode[]; otherwise: TemplateNode[] }
  | { kind: 'with'; pipeline: Pipeline; then: TemplateNode[]; otherwise: TemplateNode[] }
  | { kind: 'range'; pipeline: Pipeline; body: TemplateNode[]; otherwise: TemplateNode[] };

function parseError(source: string, what: string): InvalidArgumentError {
  return new InvalidArgumentError(`template parsing error: template: :1: ${what} in ${JSON.stringify(source)}`);
}

/** Splits the source into text and action bodies, applying `{{-`/`-}}` trimming and dropping comments. */
function lex(source: string): Array<{ text: string } | { action: string }> {
  const items: Array<{ text: string } | { action: string }> = [];
  let rest = source;
  let trimNext = false;
  while (rest.length > 0) {
    const open = rest.indexOf('{{');
    let text = open === -1 ? rest : rest.slice(0, open);
    if (trimNext) text = text.trimStart();
    trimNext = false;
    if (open === -1) {
      if (text) items.push({ text });
      break;
    }
    let body = rest.slice(open + 2);
    // `{{- ` trims the white space before the action (Go needs the space after the dash).
    if (/^-\s/.test(body)) {
      text = text.trimEnd();
      body = body.slice(1);
    }
    if (text) items.push({ text });
    const close = findClose(body);
    if (close === -1) throw parseError(source, 'unclosed action');
    let inner = body.slice(0, close);
    if (/\s-$/.test(inner)) {
      inner = inner.slice(0, -1);
      trimNext = true;
    }
    inner = inner.trim();
    if (!(inner.startsWith('/*') && inner.endsWith('*/'))) items.push({ action: inner });
    rest = body.slice(close + 2);
  }
  return items;
}

/** The index of the `}}` closing an action, skipping quoted strings. */
function findClose(body: string): number {
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '"') {
      for (i++; i < body.length && body[i] !== '"'; i++) if (body[i] === '\\') i++;
    } else if (c === '`') {
      i = body.indexOf('`', i + 1);
      if (i === -1) return -1;
    } else if (c === '}' && body[i + 1] === '}') return i;
  }
  return -1;
}

const TOKEN = /\s*("(?:[^"\\]|\\.)*"|`[^`]*`|\(|\)|\||:=|=|,|[^\s|"`(),=:]+(?::(?!=)[^\s|"`(),=:]*)*)/y;

function tokenize(body: string, source: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let match: RegExpExecArray | null;
  while (TOKEN.lastIndex < body.length && (match = TOKEN.exec(body)) !== null) tokens.push(match[1]!);
  if (body.slice(TOKEN.lastIndex).trim() !== '') throw parseError(source, `unexpected ${JSON.stringify(body.slice(TOKEN.lastIndex).trim())}`);
  return tokens;
}

class PipelineParser {
  #at = 0;
  constructor(
    private readonly tokens: string[],
    private readonly source: string,
    private readonly isFunction: (name: string) => boolean,
  ) {}

  /** The whole token list as one pipeline, with an optional declaration in front. */
  parse(allowTwoVariables: boolean): Pipeline {
    const declare = this.#declaration(allowTwoVariables);
    const pipeline = this.#pipeline();
    if (this.#at < this.tokens.length) throw parseError(this.source, `unexpected ${JSON.stringify(this.tokens[this.#at])}`);
    return { declare, commands: pipeline.commands };
  }

  #declaration(allowTwo: boolean): Pipeline['declare'] {
    const t = this.tokens;
    if (t[0]?.startsWith('$') && (t[1] === ':=' || t[1] === '=')) {
      this.#at = 2;
      return { names: [t[0]], assign: t[1] === '=' };
    }
    if (allowTwo && t[0]?.startsWith('$') && t[1] === ',' && t[2]?.startsWith('$') && t[3] === ':=') {
      this.#at = 4;
      return { names: [t[0], t[2]], assign: false };
    }
    return undefined;
  }

  #pipeline(): Pipeline {
    const commands: Operand[][] = [];
    let current: Operand[] = [];
    while (this.#at < this.tokens.length && this.tokens[this.#at] !== ')') {
      const token = this.tokens[this.#at++]!;
      if (token === '|') {
        if (current.length === 0) throw parseError(this.source, "missing command before '|'");
        commands.push(current);
        current = [];
        continue;
      }
      if (token === '(') {
        const inner = this.#pipeline();
        if (this.tokens[this.#at++] !== ')') throw parseError(this.source, 'unclosed left paren');
        current.push({ kind: 'sub', pipeline: inner });
        continue;
      }
      current.push(this.#operand(token));
    }
    if (current.length === 0) throw parseError(this.source, commands.length > 0 ? "missing command after '|'" : 'missing value for command');
    commands.push(current);
    return { commands };
  }

  #operand(word: string): Operand {
    if (word.startsWith('"')) return { kind: 'literal', value: JSON.parse(word) as string };
    if (word.startsWith('`')) return { kind: 'literal', value: word.slice(1, -1) };
    if (/^-?\d+(\.\d+)?$/.test(word)) return { kind: 'literal', value: Number(word) };
    if (word === 'true' || word === 'false') return { kind: 'literal', value: word === 'true' };
    if (word === 'nil') return { kind: 'literal', value: undefined };
    if (word === '.') return { kind: 'field', path: [] };
    if (word.startsWith('.')) return { kind: 'field', path: word.slice(1).split('.') };
    if (word.startsWith('$')) {
      const [name, ...path] = word.split('.');
      return { kind: 'variable', name: name!, path };
    }
    if (this.isFunction(word)) return { kind: 'function', name: word };
    throw parseError(this.source, `function "${word}" not defined`);
  }
}

interface Frame {
  kind: 'root' | 'if' | 'with' | 'range';
  pipeline?: Pipeline;
  then: TemplateNode[];
  otherwise: TemplateNode[];
  /** Collecting the `else` part. */
  inElse: boolean;
  /** An `else if` chain: its nodes end with the frame's `end`. */
  chained: boolean;
}

/**
 * Parses a template into its node tree; `isFunction` says which names are callable.
 * Malformed templates are `InvalidArgument` with Go's wording where clients know it.
 */
export function parseTemplate(source: string, isFunction: (name: string) => boolean): TemplateNode[] {
  const root: Frame = { kind: 'root', then: [], otherwise: [], inElse: false, chained: false };
  const stack: Frame[] = [root];
  const target = () => {
    const top = stack.at(-1)!;
    return top.inElse ? top.otherwise : top.then;
  };
  const pipelineOf = (body: string, allowTwo = false) => new PipelineParser(tokenize(body, source), source, isFunction).parse(allowTwo);
  const close = () => {
    const frame = stack.pop()!;
    const node: TemplateNode =
      frame.kind === 'range'
        ? { kind: 'range', pipeline: frame.pipeline!, body: frame.then, otherwise: frame.otherwise }
        : { kind: frame.kind as 'if' | 'with', pipeline: frame.pipeline!, then: frame.then, otherwise: frame.otherwise };
    target().push(node);
    return frame;
  };

  for (const item of lex(source)) {
    if ('text' in item) {
      target().push({ kind: 'text', text: item.text });
      continue;
    }
    const [keyword = '', ...restWords] = item.action.split(/\s+/);
    const rest = item.action.slice(keyword.length).trim();
    if (keyword === 'if' || keyword === 'with' || keyword === 'range') {
      if (rest === '') throw parseError(source, `missing value for ${keyword}`);
      stack.push({ kind: keyword, pipeline: pipelineOf(rest, keyword === 'range'), then: [], otherwise: [], inElse: false, chained: false });
    } else if (keyword === 'else') {
      const top = stack.at(-1)!;
      if (top.kind === 'root' || top.inElse) throw parseError(source, 'unexpected {{else}}');
      top.inElse = true;
      if (restWords[0] === 'if' || restWords[0] === 'with') {
        // `{{else if x}}` is `{{else}}{{if x}}…{{end}}{{end}}` with one shared `end`.
        const chainedRest = rest.slice(restWords[0].length).trim();
        if (chainedRest === '') throw parseError(source, `missing value for ${restWords[0]}`);
        stack.push({ kind: restWords[0], pipeline: pipelineOf(chainedRest), then: [], otherwise: [], inElse: false, chained: true });
      } else if (rest !== '') throw parseError(source, `unexpected ${JSON.stringify(rest)} in else`);
    } else if (keyword === 'end') {
      if (stack.length === 1) throw parseError(source, 'unexpected {{end}}');
      if (rest !== '') throw parseError(source, `unexpected ${JSON.stringify(rest)} in end`);
      while (close().chained);
    } else if (['define', 'template', 'block', 'break', 'continue'].includes(keyword)) {
      throw parseError(source, `{{${keyword}}} is not supported`);
    } else {
      if (item.action === '') throw parseError(source, 'missing value for command');
      target().push({ kind: 'action', pipeline: pipelineOf(item.action) });
    }
  }
  if (stack.length > 1) throw parseError(source, `unexpected EOF: {{${stack.at(-1)!.kind}}} without {{end}}`);
  return root.then;
}
