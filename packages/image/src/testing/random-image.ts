import { createCipheriv, createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { LayerCompression, Platform } from '@berth/spec';
import tar from 'tar-stream';
import type { Image, Layer } from '../image.js';
import { appendLayers } from '../mutate/append-layers.js';
import { empty } from '../mutate/empty.js';
import { layerFromTar } from '../mutate/layer-from-tar.js';
import { fixtureMtime } from './fixture-tar.js';

/** Options of {@link randomLayer}. */
export interface RandomLayerOptions {
  /** Bytes of random content (default 1024). */
  size?: number;
  /** Seed: the same seed gives the same layer, byte for byte (default 0). */
  seed?: number | string;
  /** Compression of the blob (default gzip). */
  compression?: LayerCompression;
}

/** Deterministic pseudo-random bytes: AES-256-CTR over zeros, keyed by the seed. */
function randomBytesStream(seed: string, size: number): Readable {
  const key = createHash('sha256').update(`berth-random:${seed}`).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const chunk = 1 << 16;
  let left = size;
  return new Readable({
    read() {
      if (left === 0) {
        this.push(null);
        return;
      }
      const n = Math.min(chunk, left);
      left -= n;
      this.push(cipher.update(Buffer.alloc(n)));
    },
  });
}

/**
 * A layer with one file of seeded pseudo-random content (`random/<seed>.bin`, `size`
 * bytes). Same options, same digest — on every run and machine. Content is generated on
 * the fly, so large layers cost no memory.
 */
export function randomLayer(options: RandomLayerOptions = {}): Layer {
  const size = options.size ?? 1024;
  const seed = String(options.seed ?? 0);
  const open = () => {
    const pack = tar.pack();
    const sink = pack.entry({ name: `random/${seed}.bin`, size, mode: 0o644, mtime: fixtureMtime, uid: 0, gid: 0, type: 'file' }, (err) => {
      if (err) pack.destroy(err);
      else pack.finalize();
    });
    sink.on('error', () => undefined); // reported through the entry callback
    const content = randomBytesStream(seed, size);
    content.on('data', (chunk) => {
      if (!sink.write(chunk)) {
        content.pause();
        sink.once('drain', () => content.resume());
      }
    });
    content.on('end', () => sink.end(null));
    return Readable.from(pack as AsyncIterable<Buffer>, { objectMode: false });
  };
  return layerFromTar(open, { compression: options.compression ?? 'gzip' });
}

/** Options of {@link randomImage}. */
export interface RandomImageOptions {
  /** Number of layers (default 1). */
  layers?: number;
  /** Bytes of random content per layer (default 1024). */
  layerSize?: number;
  /** Seed of the whole image; layer `i` uses `<seed>-<i>` (default 0). */
  seed?: number | string;
  /** Platform of the config (default: this machine's). */
  platform?: Platform;
}

/**
 * An image of `layers` random layers (see {@link randomLayer}) on an empty base —
 * go-containerregistry's `random.Image`. Deterministic for the same options.
 */
export function randomImage(options: RandomImageOptions = {}): Image {
  const count = options.layers ?? 1;
  const seed = String(options.seed ?? 0);
  const layers = Array.from({ length: count }, (_, i) => ({
    layer: randomLayer({ size: options.layerSize ?? 1024, seed: `${seed}-${i}` }),
    history: { created: fixtureMtime.toISOString(), created_by: `berth testing: random layer ${seed}-${i}` },
  }));
  return appendLayers(empty(options.platform ? { platform: options.platform } : {}), ...layers);
}

/** An image with no layers: `FROM scratch` (go-containerregistry's `empty.Image`). */
export function emptyImage(options: { platform?: Platform } = {}): Image {
  return empty(options.platform ? { platform: options.platform } : {});
}
