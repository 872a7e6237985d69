import { parseSignal } from '../config/signals.js';
import type { LogStream } from '../logs/log-line.js';
import type { FakeOutput, FakeProcessInfo, FakeProcessScript, FakeSignalAction } from './fake-script.js';

// A tiny shell, enough for the commands tests and examples run in busybox containers:
// true, false, echo, printf (no formats), sleep, cat, env, pwd, hostname, id, exit, trap,
// wait, read (waits for a line of stdin), stty size, `:`, and `sh -c` scripts joining them with ; && || & and newlines, with `>&2`.

type Token = { word: string } | { op: ';' | '&&' | '||' | '&' };

function tokenize(script: string): Token[] {
  const tokens: Token[] = [];
  let word: string | undefined;
  const flush = () => {
    if (word !== undefined) tokens.push({ word });
    word = undefined;
  };
  for (let i = 0; i < script.length; i++) {
    const c = script[i]!;
    if (c === "'") {
      const end = script.indexOf("'", i + 1);
      word = (word ?? '') + script.slice(i + 1, end < 0 ? script.length : end);
      i = end < 0 ? script.length : end;
    } else if (c === '"') {
      let j = i + 1;
      let text = '';
      for (; j < script.length && script[j] !== '"'; j++) {
        if (script[j] === '\\' && j + 1 < script.length && '"\\$`'.includes(script[j + 1]!)) j++;
        text += script[j];
      }
      word = (word ?? '') + text;
      i = j;
    } else if (c === '\\' && i + 1 < script.length) {
      word = (word ?? '') + script[++i];
    } else if (c === ' ' || c === '\t') {
      flush();
    } else if (c === ';' || c === '\n') {
      flush();
      tokens.push({ op: ';' });
    } else if (c === '&' && script[i + 1] === '&') {
      flush();
      tokens.push({ op: '&&' });
      i++;
    } else if (c === '|' && script[i + 1] === '|') {
      flush();
      tokens.push({ op: '||' });
      i++;
    } else if (c === '&' && !(word ?? '').endsWith('>')) {
      flush();
      tokens.push({ op: '&' });
    } else {
      word = (word ?? '') + c;
    }
  }
  flush();
  return tokens;
}

interface Simulation {
  info: FakeProcessInfo;
  output: FakeOutput[];
  atMs: number;
  status: number;
  signals: Record<string, FakeSignalAction>;
  /** The script ended the process (exit, a sleep forever, cat). */
  ended: 'exit' | 'forever' | 'stdin' | undefined;
  /** Lines of stdin the script has read so far (`read`): later steps wait for them. */
  linesRead: number;
}

function emit(sim: Simulation, stream: LogStream, text: FakeOutput['text']): void {
  const output: FakeOutput = { stream: sim.info.terminal ? 'stdout' : stream, text, atMs: sim.atMs };
  if (sim.linesRead > 0) output.afterInputLines = sim.linesRead;
  sim.output.push(output);
}

function envValue(info: FakeProcessInfo, name: string): string | undefined {
  const entry = info.env.find((e) => e.startsWith(`${name}=`));
  return entry?.slice(name.length + 1);
}

/** `$VAR` and `${VAR}` from the process environment. */
function expand(info: FakeProcessInfo, word: string): string {
  return word.replace(/\$(?:\{(\w+)\}|(\w+))/g, (_m, a: string | undefined, b: string | undefined) => envValue(info, (a ?? b)!) ?? '');
}

function runSimple(sim: Simulation, rawWords: string[]): void {
  let stream: LogStream = 'stdout';
  let discard = false;
  const words: string[] = [];
  for (const w of rawWords) {
    if (w === '>&2' || w === '1>&2') stream = 'stderr';
    else if (w === '2>&1' || w === '2>/dev/null' || w === '2>&-') continue;
    else if (w === '>/dev/null' || w === '1>/dev/null') discard = true;
    else words.push(expand(sim.info, w));
  }
  const [command, ...args] = words;
  if (command === undefined) return;
  const print = (text: FakeOutput['text']) => {
    if (!discard) emit(sim, stream, text);
  };
  const name = command.split('/').pop()!;
  switch (name) {
    case 'true':
    case ':':
    case 'wait':
      sim.status = 0;
      return;
    case 'false':
      sim.status = 1;
      return;
    case 'echo': {
      const noNewline = args[0] === '-n';
      print(`${(noNewline ? args.slice(1) : args).join(' ')}${noNewline ? '' : '\n'}`);
      sim.status = 0;
      return;
    }
    case 'printf':
      print((args[0] ?? '').replace(/\\n/g, '\n').replace(/\\t/g, '\t'));
      sim.status = 0;
      return;
    case 'sleep': {
      const seconds = args[0] === 'infinity' ? Infinity : Number.parseFloat(args[0] ?? '0');
      if (!Number.isFinite(seconds)) sim.ended = 'forever';
      else sim.atMs += Math.round(seconds * 1000);
      sim.status = 0;
      return;
    }
    case 'cat':
      sim.ended = 'stdin';
      return;
    case 'env':
      print(sim.info.env.map((e) => `${e}\n`).join(''));
      sim.status = 0;
      return;
    case 'pwd':
      print(`${sim.info.cwd}\n`);
      sim.status = 0;
      return;
    case 'hostname':
      print(`${sim.info.hostname}\n`);
      sim.status = 0;
      return;
    case 'id': {
      const { uid, gid } = sim.info.user;
      if (args[0] === '-u') print(`${uid}\n`);
      else if (args[0] === '-g') print(`${gid}\n`);
      else print(`uid=${uid} gid=${gid}\n`);
      sim.status = 0;
      return;
    }
    case 'read':
      // The line's text is not kept: `$var` after a read expands from the environment.
      sim.linesRead += 1;
      sim.status = 0;
      return;
    case 'stty':
      if (args.join(' ') !== 'size') break;
      if (!sim.info.terminal) {
        emit(sim, 'stderr', 'stty: standard input: Not a tty\n');
        sim.status = 1;
        return;
      }
      print(({ terminalSize }) => `${terminalSize?.height ?? 0} ${terminalSize?.width ?? 0}\n`);
      sim.status = 0;
      return;
    case 'exit':
      sim.status = args[0] === undefined ? sim.status : Number.parseInt(args[0], 10) & 0xff;
      sim.ended = 'exit';
      return;
    case 'trap': {
      const [action, ...signals] = args;
      const exit = /^exit(?:\s+(\d+))?$/.exec((action ?? '').trim());
      for (const signal of signals) {
        let name: string;
        try {
          name = parseSignal(signal).name;
        } catch {
          continue;
        }
        if (action === '') sim.signals[name] = 'ignore';
        else if (action === '-') delete sim.signals[name];
        else if (exit) sim.signals[name] = { exitCode: Number(exit[1] ?? 0) };
      }
      sim.status = 0;
      return;
    }
    default:
      break;
  }
  emit(sim, 'stderr', `sh: ${command}: not found\n`);
  sim.status = 127;
}

function runScript(sim: Simulation, script: string): void {
  const tokens = tokenize(script);
  let words: string[] = [];
  let skip = false;
  const finish = () => {
    if (!skip && !sim.ended) runSimple(sim, words);
    words = [];
  };
  for (const token of tokens) {
    if (sim.ended) return;
    if ('word' in token) {
      words.push(token.word);
      continue;
    }
    finish();
    // `a && b` runs b only after success; `a || b` only after failure; `;` and `&` always.
    skip = token.op === '&&' ? sim.status !== 0 : token.op === '||' ? sim.status === 0 : false;
  }
  finish();
}

const shells = new Set(['sh', 'ash', 'bash', 'dash']);

/**
 * The behaviour of a command as the fake runtime simulates it: a small interpreter for
 * busybox commands and `sh -c` scripts (see the file comment for what it knows). An
 * unknown program runs until it is killed, printing nothing — a stand-in for a server.
 * A shell without `-c` reads its stdin until it ends, and the main process of a
 * container without an init ignores signals it has no trap for, as PID 1 does.
 */
export function interpretCommand(info: FakeProcessInfo): FakeProcessScript {
  const pid1 = info.kind === 'init' && !info.behindInit;
  const [program = '', ...rest] = info.args;
  const name = program.split('/').pop()!;
  const sim: Simulation = { info, output: [], atMs: 0, status: 0, signals: {}, ended: undefined, linesRead: 0 };
  if (shells.has(name)) {
    const c = rest.indexOf('-c');
    if (c < 0) return { stdin: 'consume', ignoresUnhandledSignals: pid1 };
    runScript(sim, rest[c + 1] ?? '');
  } else if (['true', ':', 'false', 'echo', 'printf', 'sleep', 'cat', 'env', 'pwd', 'hostname', 'id', 'stty'].includes(name)) {
    runSimple(sim, info.args);
  } else {
    return { ignoresUnhandledSignals: false };
  }
  const script: FakeProcessScript = { output: sim.output, signals: sim.signals, ignoresUnhandledSignals: pid1 };
  if (sim.ended === 'stdin') script.stdin = 'echo';
  else if (sim.ended !== 'forever') script.exit = { code: sim.status, atMs: sim.atMs, ...(sim.linesRead > 0 ? { afterInputLines: sim.linesRead } : {}) };
  return script;
}
