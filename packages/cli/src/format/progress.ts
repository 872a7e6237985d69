import type { Writable } from 'node:stream';
import type { PullEvent, PushEvent } from '@berth/registry-client';
import { humanSize, shortId } from './units.js';

/**
 * docker's progress display (jsonmessage): one line per layer. On a terminal a line is
 * rewritten in place (cursor up, clear, rewrite) with a bar `[====>   ]  1.2MB/3.4MB`; on a
 * pipe only state changes are printed, one line each, so logs stay readable.
 */
export class ProgressLines {
  readonly #out: Writable & { isTTY?: boolean };
  readonly #order: string[] = [];
  readonly #last = new Map<string, string>();

  constructor(out: Writable & { isTTY?: boolean }) {
    this.#out = out;
  }

  /** Sets the line of `id` to `status` (with `progress` on a terminal). */
  update(id: string, status: string, progress?: { current: number; total: number }): void {
    const tty = this.#out.isTTY === true;
    const text = `${id}: ${status}${tty && progress ? ` ${progressBar(progress.current, progress.total)}` : ''}`;
    if (!tty) {
      // Plain output: a line per state, never per byte count.
      if (this.#last.get(id) === status) return;
      this.#last.set(id, status);
      this.#out.write(`${text}\n`);
      return;
    }
    const index = this.#order.indexOf(id);
    if (index === -1) {
      this.#order.push(id);
      this.#out.write(`${text}\n`);
      return;
    }
    const up = this.#order.length - index;
    this.#out.write(`\x1b[${up}A\x1b[2K\r${text}\x1b[${up}B\r`);
  }

  /** A line outside the layer lines (header, summary). */
  line(text: string): void {
    this.#out.write(`${text}\n`);
  }
}

/** docker's bar: 50 columns of `=` with a `>` head, then `current/total`. */
export function progressBar(current: number, total: number): string {
  if (total <= 0) return humanSize(current);
  const width = 50;
  const filled = Math.min(width, Math.floor((current / total) * width));
  const bar = filled >= width ? '='.repeat(width) : `${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? '>' : ''}${' '.repeat(width - Math.max(filled, 0))}`;
  return `[${bar.padEnd(width).slice(0, width)}]  ${humanSize(current)}/${humanSize(total)}`;
}

const PULL_STATES: Record<string, string> = {
  waiting: 'Waiting',
  exists: 'Already exists',
  downloading: 'Downloading',
  verifying: 'Verifying Checksum',
  downloaded: 'Download complete',
  extracting: 'Extracting',
  done: 'Pull complete',
};

/** Splits `docker.io/library/busybox:latest` into docker's `latest: Pulling from library/busybox`. */
function pullHeader(reference: string): string {
  const at = reference.indexOf('@');
  const nameAndTag = at === -1 ? reference : reference.slice(0, at);
  const colon = nameAndTag.lastIndexOf(':');
  const hasTag = colon > nameAndTag.lastIndexOf('/');
  const name = hasTag ? nameAndTag.slice(0, colon) : nameAndTag;
  const tag = at !== -1 ? reference.slice(at + 1) : hasTag ? nameAndTag.slice(colon + 1) : 'latest';
  const path = name.startsWith('docker.io/') ? name.slice('docker.io/'.length) : name;
  return `${tag}: Pulling from ${path}`;
}

/**
 * Shows a pull's progress events; resolves when they end, with whether anything was
 * downloaded (docker's `Downloaded newer image` versus `Image is up to date`).
 */
export async function writePullProgress(out: Writable & { isTTY?: boolean }, events: AsyncIterable<PullEvent>, reference: string): Promise<{ downloaded: boolean }> {
  const lines = new ProgressLines(out);
  let downloaded = false;
  let announced = false;
  for await (const event of events) {
    if (event.type === 'resolved') {
      lines.line(pullHeader(event.reference || reference));
      announced = true;
      for (const layer of event.layers) lines.update(shortId(layer.digest), 'Pulling fs layer');
    } else if (event.type === 'layer') {
      if (!announced) {
        lines.line(pullHeader(reference));
        announced = true;
      }
      if (event.state !== 'exists') downloaded = true;
      const showBar = event.state === 'downloading' || event.state === 'extracting';
      lines.update(shortId(event.digest), PULL_STATES[event.state] ?? event.state, showBar ? { current: event.bytes, total: event.total } : undefined);
    } else if (event.type === 'retry') {
      lines.update(shortId(event.digest), `Retrying (attempt ${event.attempt}): ${event.reason}`);
    }
  }
  return { downloaded };
}

const PUSH_STATES: Record<string, string> = {
  waiting: 'Waiting',
  exists: 'Layer already exists',
  mounted: 'Mounted from another repository',
  pushing: 'Pushing',
  pushed: 'Pushed',
};

/** Shows a push's progress events (`The push refers to repository [...]`, then a line per blob). */
export async function writePushProgress(out: Writable & { isTTY?: boolean }, events: AsyncIterable<PushEvent>, reference: string): Promise<void> {
  const lines = new ProgressLines(out);
  const at = reference.indexOf('@');
  const name = at === -1 ? reference.replace(/:[^/:]+$/, '') : reference.slice(0, at);
  lines.line(`The push refers to repository [${name.includes('/') && name.split('/')[0]!.match(/[.:]|^localhost$/) ? name : `docker.io/${name.includes('/') ? name : `library/${name}`}`}]`);
  for await (const event of events) {
    if (event.type !== 'blob') continue;
    lines.update(shortId(event.digest), PUSH_STATES[event.state] ?? event.state, event.state === 'pushing' ? { current: event.bytes, total: event.total } : undefined);
  }
}
