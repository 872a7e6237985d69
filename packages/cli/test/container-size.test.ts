import { randomBytes } from 'node:crypto';
import { busyboxImage, tarOf } from '@berth/image/testing';
import { type Engine, type ContainerListOptions, createMemoryEngine } from '@berth/engine';
import { formatReadsField, humanSize } from '@berth/cli';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { berth } from './cli-harness.js';

describe('berth ps -s and inspect -s (memory engine)', () => {
  let engine: Engine;
  let id: string;
  let imageSize: number;
  /** What each `containers.list` was asked, to see when the CLI asks for sizes. */
  let listed: ContainerListOptions[];

  beforeEach(async () => {
    engine = await createMemoryEngine({ images: [{ image: busyboxImage(), tags: ['busybox:latest'] }] });
    listed = [];
    const list = engine.containers.list.bind(engine.containers);
    engine.containers.list = async (options = {}) => {
      listed.push(options);
      return list(options);
    };
    ({ id } = await engine.containers.create({ image: 'busybox', name: 'writer', cmd: ['true'] }));
    await engine.containers.putArchive(id, '/', tarOf([{ type: 'file', path: 'one-mib.bin', content: randomBytes(1 << 20) }])());
    imageSize = (await engine.images.inspect('busybox')).size;
  });
  afterEach(async () => {
    await engine.containers.remove(id, { force: true }).catch(() => undefined);
    await engine.close();
  });

  it('ps -s adds docker\'s SIZE column: the writable layer, then the virtual size', async () => {
    const { status, stdout } = await berth(engine, ['ps', '-a', '-s']);
    expect(status).toBe(0);
    const [header, row] = stdout.trimEnd().split('\n');
    expect(header).toMatch(/NAMES\s+SIZE$/);
    const [measured] = await engine.containers.list({ all: true, size: true });
    expect(row).toMatch(/writer\s+1\.\d+MB \(virtual \d+(\.\d+)?MB\)$/);
    expect(row!.endsWith(`${humanSize(measured!.sizeRw!)} (virtual ${humanSize(measured!.sizeRw! + imageSize)})`)).toBe(true);
    expect(listed.at(-2)).toMatchObject({ size: true });
  });

  it('ps asks for sizes when --format reads .Size, unless --size=false or -q', async () => {
    const formatted = await berth(engine, ['ps', '-a', '--format', '{{.Names}} {{.Size}}']);
    expect(formatted.stdout).toMatch(/^writer 1\.\d+MB \(virtual \d+(\.\d+)?MB\)\n$/);
    expect(listed.at(-1)?.size).toBe(true);
    const refused = await berth(engine, ['ps', '-a', '--size=false', '--format', '{{.Size}}']);
    expect(refused.stdout).toBe('0B\n');
    expect(listed.at(-1)?.size).toBeUndefined();
    await berth(engine, ['ps', '-a', '-q', '--format', '{{.Size}}']);
    expect(listed.at(-1)?.size).toBeUndefined();
    const plain = await berth(engine, ['ps', '-a']);
    expect(plain.stdout).not.toMatch(/SIZE/);
    expect(listed.at(-1)?.size).toBeUndefined();
  });

  it('inspect -s and container inspect --size add SizeRw and SizeRootFs; without it they are absent', async () => {
    const sized = await berth(engine, ['inspect', '-s', '--format', '{{.SizeRw}} {{.SizeRootFs}}', 'writer']);
    const [rw, rootFs] = sized.stdout.trim().split(' ').map(Number);
    expect(rw).toBeGreaterThanOrEqual(1 << 20);
    expect(rootFs).toBe(rw! + imageSize);
    const json = JSON.parse((await berth(engine, ['container', 'inspect', '--size', 'writer'])).stdout) as Array<Record<string, unknown>>;
    expect(json[0]).toMatchObject({ SizeRw: rw, SizeRootFs: rootFs });
    const plain = JSON.parse((await berth(engine, ['inspect', 'writer'])).stdout) as Array<Record<string, unknown>>;
    expect(plain[0]).not.toHaveProperty('SizeRw');
    expect(plain[0]).not.toHaveProperty('SizeRootFs');
  });

  it('knows which formats read .Size', () => {
    expect(formatReadsField('{{.Size}}', 'Size')).toBe(true);
    expect(formatReadsField('table {{.Names}}\\t{{.Size}}', 'Size')).toBe(true);
    expect(formatReadsField('{{.Names}} {{.size}}', 'Size')).toBe(true);
    expect(formatReadsField('{{.Names}}', 'Size')).toBe(false);
    expect(formatReadsField(undefined, 'Size')).toBe(false);
    expect(formatReadsField('table', 'Size')).toBe(false);
  });
});
