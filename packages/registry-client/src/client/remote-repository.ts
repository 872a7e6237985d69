import { PassThrough, type Readable, Transform, pipeline } from 'node:stream';
import { InvalidArgumentError, NotFoundError, NotImplementedError } from '@berth/errdefs';
import {
  type Descriptor,
  type Digest,
  MediaTypes,
  digestHex,
  digestOf,
  indexManifestSchema,
  isDigest,
  isSchema1MediaType,
  mediaTypeEssence,
} from '@berth/spec';
import { z } from 'zod';
import { type RegistryErrorContext, RegistryError } from '../errors/registry-error.js';
import { asBerthError } from '../errors/to-berth-error.js';
import { readBody, discardBody } from '../http/transport.js';
import { verifyingStream } from '../internal/verifying-stream.js';
import { type EndpointRequest, type RegistryEndpoint, isAbort } from './endpoint.js';
import { manifestAccept, maxManifestBytes } from './manifest-accept.js';
import { nextPageLink } from './pagination.js';

/** Options of every registry call. */
export interface CallOptions {
  signal?: AbortSignal;
}

/** A manifest or index as received: the exact bytes and the descriptor that names them. */
export interface FetchedManifest {
  /** Media type (from `Content-Type`, or the document's own `mediaType`), digest of the bytes, size. */
  descriptor: Descriptor;
  bytes: Uint8Array;
}

/** How {@link RemoteRepository.uploadBlob} sends the bytes. */
export interface UploadOptions extends CallOptions {
  /** `monolithic` (default): one `PUT` streaming the blob. `chunked`: `PATCH`es of `chunkSize` bytes, then `PUT`. */
  mode?: 'monolithic' | 'chunked';
  /** Chunk size of chunked uploads in bytes (default 8 MiB). */
  chunkSize?: number;
  /** Repositories on the same registry to try a cross-repository mount from first. */
  mountFrom?: string[];
  /** Called with the number of bytes sent so far. */
  onProgress?: (bytesSent: number) => void;
}

/** Whether {@link RemoteRepository.uploadBlob} had to send the bytes. */
export type UploadOutcome = 'uploaded' | 'mounted';

/** Options of a tag or catalog listing. */
export interface ListOptions extends CallOptions {
  /** Page size asked of the registry (`n`); the registry may send fewer. */
  pageSize?: number;
  /** Start after this entry (`last`). */
  last?: string;
}

/**
 * One repository on a registry (`docker.io` + `library/busybox`) and the distribution API
 * calls on it. Reads go to the registry's mirrors first, when it has some; writes go to
 * the registry itself. Every failure is a `@berth/errdefs` error whose cause is a
 * {@link RegistryError} naming the registry, repository and reference.
 */
export interface RemoteRepository {
  /** The registry as references name it (`docker.io`, `localhost:5000`). */
  readonly registry: string;
  /** The repository path (`library/busybox`). */
  readonly name: string;
  /** The descriptor a tag or digest points at (a `HEAD`; falls back to `GET`); `NotFound` if absent. */
  resolve(reference: string, options?: CallOptions): Promise<Descriptor>;
  /** Fetches a manifest or index by tag or digest and verifies its digest. */
  fetchManifest(reference: string, options?: CallOptions): Promise<FetchedManifest>;
  /** Stores a manifest or index under a tag or its digest; resolves with its descriptor. */
  putManifest(reference: string, bytes: Uint8Array, mediaType: string, options?: CallOptions): Promise<Descriptor>;
  /** Deletes a manifest by digest (registries refuse deletes by tag). */
  deleteManifest(digest: Digest, options?: CallOptions): Promise<void>;
  /** Size of a blob, or `undefined` when the repository lacks it (a `HEAD`). */
  statBlob(digest: Digest, options?: CallOptions): Promise<{ digest: Digest; size: number } | undefined>;
  /**
   * A stream of a blob. From offset 0 the bytes are verified against the digest (and the
   * size): a mismatch fails the stream before it ends cleanly. From another offset they
   * cannot be, and the caller must verify.
   */
  fetchBlob(descriptor: Pick<Descriptor, 'digest'> & { size?: number }, options?: CallOptions & { offset?: number }): Promise<Readable>;
  /** Deletes a blob. */
  deleteBlob(digest: Digest, options?: CallOptions): Promise<void>;
  /** Cross-repository mount of a blob from `fromRepository` on the same registry; `false` when refused. */
  mountBlob(digest: Digest, fromRepository: string, options?: CallOptions): Promise<boolean>;
  /** Uploads a blob (after trying `mountFrom`), reopening `open()` for each attempt. */
  uploadBlob(descriptor: Descriptor, open: () => Promise<Readable> | Readable, options?: UploadOptions): Promise<UploadOutcome>;
  /** The tags, page after page. */
  tags(options?: ListOptions): AsyncIterable<string>;
  /** All tags, collected. */
  listTags(options?: ListOptions): Promise<string[]>;
  /**
   * Manifests that refer to `digest` (their `subject`): the referrers API where the
   * registry has it, else the `sha256-<hex>` tag scheme; optionally of one `artifactType`.
   */
  referrers(digest: Digest, options?: CallOptions & { artifactType?: string }): Promise<Descriptor[]>;
}

/** Where a {@link RemoteRepositoryImpl} sends requests. */
export interface RepositoryEndpoints {
  /** For reads, in order: mirrors first, then the origin. */
  read: RegistryEndpoint[];
  /** For writes: the origin. */
  write: RegistryEndpoint;
}

/** Chunk size of chunked uploads when none is given. */
const defaultChunkSize = 8 << 20;
/** Blob-level attempts of an upload (each restarts it with a fresh stream). */
const uploadAttempts = 3;

const tagListSchema = z.looseObject({ name: z.string().optional(), tags: z.array(z.string()).nullish() });

/** The implementation of {@link RemoteRepository}, with the raw calls pull needs. */
export class RemoteRepositoryImpl implements RemoteRepository {
  constructor(
    readonly registry: string,
    readonly name: string,
    private readonly endpoints: RepositoryEndpoints,
  ) {}

  private get pullScope(): string {
    return `repository:${this.name}:pull`;
  }

  private get pushScopes(): string[] {
    return [`repository:${this.name}:pull,push`];
  }

  private context(reference: string | undefined, operation: string): Omit<RegistryErrorContext, 'registry'> {
    return { repository: this.name, ...(reference === undefined ? {} : { reference }), operation };
  }

  /** Runs `call` on each read endpoint in turn until one succeeds (mirror fallback). */
  private async read<T>(call: (endpoint: RegistryEndpoint) => Promise<T>, signal?: AbortSignal): Promise<T> {
    let lastError: unknown;
    for (const endpoint of this.endpoints.read) {
      try {
        return await call(endpoint);
      } catch (err) {
        if (isAbort(err, signal)) throw err;
        lastError = err;
      }
    }
    throw lastError;
  }

  private async guard<T>(what: string, body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (err) {
      throw asBerthError(err, `registry ${this.registry}, repository ${this.name}: ${what}`);
    }
  }

  resolve(reference: string, options: CallOptions = {}): Promise<Descriptor> {
    return this.guard(`resolving ${reference}`, () =>
      this.read(async (endpoint) => {
        const response = await endpoint.request(
          this.request('HEAD', `/v2/${this.name}/manifests/${reference}`, {
            headers: { Accept: manifestAccept },
            expect: [200],
            context: this.context(reference, 'resolving manifest'),
            signal: options.signal,
          }),
        );
        discardBody(response.body);
        const digest = header(response.headers['docker-content-digest']);
        const mediaType = contentType(response.headers['content-type']);
        const size = Number(response.headers['content-length']);
        if (digest && isDigest(digest) && mediaType && Number.isFinite(size) && !mediaType.startsWith('application/json')) {
          if (isDigest(reference) && digest !== reference) {
            throw new InvalidArgumentError(`registry ${this.registry}, repository ${this.name}: asked for manifest ${reference} but the registry answered ${digest}`);
          }
          return { mediaType, digest, size };
        }
        // Some registries omit the digest on HEAD: fetch the document instead.
        return (await this.fetchManifestFrom(endpoint, reference, options.signal)).descriptor;
      }, options.signal),
    );
  }

  fetchManifest(reference: string, options: CallOptions = {}): Promise<FetchedManifest> {
    return this.guard(`fetching manifest ${reference}`, () =>
      this.read((endpoint) => this.fetchManifestFrom(endpoint, reference, options.signal), options.signal),
    );
  }

  private async fetchManifestFrom(endpoint: RegistryEndpoint, reference: string, signal?: AbortSignal): Promise<FetchedManifest> {
    const response = await endpoint.request(
      this.request('GET', `/v2/${this.name}/manifests/${reference}`, {
        headers: { Accept: manifestAccept },
        expect: [200],
        context: this.context(reference, 'fetching manifest'),
        signal,
      }),
    );
    let bytes: Buffer;
    try {
      bytes = await readBody(response.body, maxManifestBytes);
    } catch (err) {
      if (err instanceof RangeError) {
        throw new InvalidArgumentError(`registry ${this.registry}, repository ${this.name}: manifest ${reference} is larger than ${maxManifestBytes} bytes`);
      }
      throw new RegistryError({ registry: this.registry, ...this.context(reference, 'fetching manifest'), cause: err });
    }
    const where = `registry ${this.registry}, repository ${this.name}, manifest ${reference}`;
    const algorithm = isDigest(reference) ? (reference.split(':')[0] as 'sha256' | 'sha512') : 'sha256';
    const digest = digestOf(bytes, algorithm);
    if (isDigest(reference) && digest !== reference) {
      throw new InvalidArgumentError(`${where}: content digest mismatch: the registry sent bytes with digest ${digest}`);
    }
    const announced = header(response.headers['docker-content-digest']);
    if (!isDigest(reference) && announced && isDigest(announced) && announced.startsWith('sha256:') && announced !== digest) {
      throw new InvalidArgumentError(`${where}: the registry announced digest ${announced} but sent bytes with digest ${digest}`);
    }
    const mediaType = manifestMediaType(contentType(response.headers['content-type']), bytes);
    if (isSchema1MediaType(mediaType)) {
      throw new NotImplementedError(`${where}: Docker schema 1 manifests are not supported (${mediaType}); push the image again with a current client`);
    }
    return { descriptor: { mediaType, digest, size: bytes.byteLength }, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
  }

  putManifest(reference: string, bytes: Uint8Array, mediaType: string, options: CallOptions = {}): Promise<Descriptor> {
    return this.guard(`putting manifest ${reference}`, async () => {
      const digest = digestOf(bytes);
      if (isDigest(reference) && reference !== digest) {
        throw new InvalidArgumentError(`manifest put as ${reference} has digest ${digest}`);
      }
      const response = await this.endpoints.write.request(
        this.request('PUT', `/v2/${this.name}/manifests/${reference}`, {
          headers: { 'Content-Type': mediaType, 'Content-Length': String(bytes.byteLength) },
          body: bytes,
          scopes: this.pushScopes,
          expect: [200, 201, 202],
          context: this.context(reference, 'putting manifest'),
          signal: options.signal,
        }),
      );
      discardBody(response.body);
      const announced = header(response.headers['docker-content-digest']);
      if (announced && isDigest(announced) && announced.startsWith('sha256:') && announced !== digest) {
        throw new InvalidArgumentError(
          `registry ${this.registry}, repository ${this.name}: stored manifest ${reference} as ${announced}, but its bytes have digest ${digest}`,
        );
      }
      return { mediaType, digest, size: bytes.byteLength };
    });
  }

  /** Whether the registry (the write endpoint: the push target) has manifest `digest`. */
  async statManifest(digest: Digest, signal?: AbortSignal): Promise<boolean> {
    const response = await this.endpoints.write.request(
      this.request('HEAD', `/v2/${this.name}/manifests/${digest}`, {
        headers: { Accept: manifestAccept },
        scopes: this.pushScopes,
        expect: [200, 404],
        context: this.context(digest, 'checking manifest'),
        signal,
      }),
    );
    discardBody(response.body);
    return response.status === 200;
  }

  deleteManifest(digest: Digest, options: CallOptions = {}): Promise<void> {
    return this.guard(`deleting manifest ${digest}`, async () => {
      const response = await this.endpoints.write.request(
        this.request('DELETE', `/v2/${this.name}/manifests/${digest}`, {
          scopes: [`repository:${this.name}:delete`],
          expect: [200, 202, 204],
          context: this.context(digest, 'deleting manifest'),
          signal: options.signal,
        }),
      );
      discardBody(response.body);
    });
  }

  statBlob(digest: Digest, options: CallOptions = {}): Promise<{ digest: Digest; size: number } | undefined> {
    return this.guard(`checking blob ${digest}`, () => this.statBlobOn(this.endpoints.write, digest, [this.pullScope], options.signal));
  }

  /** {@link statBlob} with the push token, so a push needs one token for both checks and uploads. */
  statBlobForPush(digest: Digest, signal?: AbortSignal): Promise<{ digest: Digest; size: number } | undefined> {
    return this.statBlobOn(this.endpoints.write, digest, this.pushScopes, signal);
  }

  private async statBlobOn(endpoint: RegistryEndpoint, digest: Digest, scopes: string[], signal?: AbortSignal) {
    const response = await endpoint.request(
      this.request('HEAD', `/v2/${this.name}/blobs/${digest}`, {
        scopes,
        expect: [200, 404],
        context: this.context(digest, 'checking blob'),
        signal,
      }),
    );
    discardBody(response.body);
    if (response.status === 404) return undefined;
    const size = Number(response.headers['content-length']);
    return { digest, size: Number.isFinite(size) ? size : -1 };
  }

  fetchBlob(descriptor: Pick<Descriptor, 'digest'> & { size?: number }, options: CallOptions & { offset?: number } = {}): Promise<Readable> {
    return this.guard(`fetching blob ${descriptor.digest}`, async () => {
      const offset = options.offset ?? 0;
      const opened = await this.openBlob(descriptor.digest, offset, options.signal);
      const where = `registry ${this.registry}, repository ${this.name}, blob ${descriptor.digest}`;
      const context = { registry: this.registry, repository: this.name, reference: descriptor.digest, operation: 'reading blob' };
      if (offset !== 0) {
        const body = opened.start < offset ? pipeline(opened.body, skipBytes(offset - opened.start), () => {}) : opened.body;
        return wrapStreamErrors(body, context);
      }
      const verified = verifyingStream(descriptor.digest, descriptor.size, where);
      return wrapStreamErrors(pipeline(opened.body, verified, () => {}), context);
    });
  }

  /**
   * Opens a blob for reading from `offset` with a `Range` request. `start` is where the
   * body really begins: 0 when the registry ignored the range. `total` is the whole size when known.
   */
  async openBlob(digest: Digest, offset: number, signal?: AbortSignal): Promise<{ body: Readable; start: number; total: number | undefined }> {
    return this.read(async (endpoint) => {
      const response = await endpoint.request(
        this.request('GET', `/v2/${this.name}/blobs/${digest}`, {
          headers: offset > 0 ? { Range: `bytes=${offset}-` } : {},
          expect: [200, 206],
          context: this.context(digest, 'fetching blob'),
          signal,
        }),
      );
      if (response.status === 206) {
        const range = /bytes (\d+)-(\d+)\/(\d+|\*)/.exec(header(response.headers['content-range']) ?? '');
        const start = range ? Number(range[1]) : offset;
        const total = range && range[3] !== '*' ? Number(range[3]) : undefined;
        return { body: response.body, start, total };
      }
      const length = Number(response.headers['content-length']);
      return { body: response.body, start: 0, total: Number.isFinite(length) ? length : undefined };
    }, signal);
  }

  deleteBlob(digest: Digest, options: CallOptions = {}): Promise<void> {
    return this.guard(`deleting blob ${digest}`, async () => {
      const response = await this.endpoints.write.request(
        this.request('DELETE', `/v2/${this.name}/blobs/${digest}`, {
          scopes: [`repository:${this.name}:delete`],
          expect: [200, 202, 204],
          context: this.context(digest, 'deleting blob'),
          signal: options.signal,
        }),
      );
      discardBody(response.body);
    });
  }

  mountBlob(digest: Digest, fromRepository: string, options: CallOptions = {}): Promise<boolean> {
    return this.guard(`mounting blob ${digest} from ${fromRepository}`, async () => {
      const started = await this.startUpload(digest, fromRepository, options.signal);
      if (started.mounted) return true;
      await this.cancelUpload(started.location);
      return false;
    });
  }

  /** Starts an upload session, asking for a mount first when `mountFrom` is given. */
  private async startUpload(digest: Digest, mountFrom: string | undefined, signal?: AbortSignal): Promise<{ mounted: true } | { mounted: false; location: URL }> {
    const query = mountFrom ? `?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(mountFrom)}` : '';
    const scopes = mountFrom ? [...this.pushScopes, `repository:${mountFrom}:pull`] : this.pushScopes;
    const endpoint = this.endpoints.write;
    const response = await endpoint.request(
      this.request('POST', `/v2/${this.name}/blobs/uploads/${query}`, {
        headers: { 'Content-Length': '0' },
        scopes,
        expect: [201, 202],
        context: this.context(digest, mountFrom ? `mounting blob from ${mountFrom}` : 'starting blob upload'),
        signal,
      }),
    );
    discardBody(response.body);
    if (response.status === 201) return { mounted: true };
    return { mounted: false, location: this.location(response.headers.location, response.url, digest) };
  }

  private location(value: string | undefined, base: URL, digest: Digest): URL {
    if (!value) {
      throw new RegistryError({ registry: this.registry, ...this.context(digest, 'uploading blob'), description: 'the registry sent no upload Location', temporary: false });
    }
    return new URL(value, base);
  }

  private async cancelUpload(location: URL): Promise<void> {
    try {
      const response = await this.endpoints.write.request(
        this.request('DELETE', location, { scopes: this.pushScopes, expect: [200, 202, 204, 404], context: this.context(undefined, 'cancelling upload'), retry: false }),
      );
      discardBody(response.body);
    } catch {
      // The registry expires abandoned uploads on its own.
    }
  }

  uploadBlob(descriptor: Descriptor, open: () => Promise<Readable> | Readable, options: UploadOptions = {}): Promise<UploadOutcome> {
    return this.guard(`uploading blob ${descriptor.digest}`, async () => {
      for (const from of options.mountFrom ?? []) {
        if (from === this.name) continue;
        const started = await this.startUpload(descriptor.digest, from, options.signal);
        if (started.mounted) return 'mounted';
        await this.cancelUpload(started.location);
      }
      for (let attempt = 1; ; attempt++) {
        try {
          await this.uploadOnce(descriptor, open, options);
          return 'uploaded';
        } catch (err) {
          if (isAbort(err, options.signal) || !(err instanceof RegistryError) || !err.temporary || attempt >= uploadAttempts) throw err;
        }
      }
    });
  }

  private async uploadOnce(descriptor: Descriptor, open: () => Promise<Readable> | Readable, options: UploadOptions): Promise<void> {
    const started = await this.startUpload(descriptor.digest, undefined, options.signal);
    if (started.mounted) return;
    let location = started.location;
    const source = await open();
    let sent = 0;
    const count = (n: number) => {
      sent += n;
      options.onProgress?.(sent);
    };
    const context = this.context(descriptor.digest, 'uploading blob');
    try {
      if (options.mode === 'chunked') {
        for await (const chunk of chunksOf(source, options.chunkSize ?? defaultChunkSize)) {
          const response = await this.endpoints.write.request(
            this.request('PATCH', location, {
              headers: {
                'Content-Type': 'application/octet-stream',
                'Content-Length': String(chunk.byteLength),
                'Content-Range': `${sent}-${sent + chunk.byteLength - 1}`,
              },
              body: chunk,
              scopes: this.pushScopes,
              expect: [202],
              context,
              signal: options.signal,
              retry: false,
            }),
          );
          discardBody(response.body);
          location = this.location(response.headers.location, location, descriptor.digest);
          count(chunk.byteLength);
        }
        location.searchParams.append('digest', descriptor.digest);
        const response = await this.endpoints.write.request(
          this.request('PUT', location, { headers: { 'Content-Length': '0' }, scopes: this.pushScopes, expect: [201, 204], context, signal: options.signal, retry: false }),
        );
        discardBody(response.body);
        return;
      }
      location.searchParams.append('digest', descriptor.digest);
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          count(chunk.byteLength);
          callback(null, chunk);
        },
      });
      let used = false;
      const response = await this.endpoints.write.request(
        this.request('PUT', location, {
          headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(descriptor.size) },
          body: () => {
            if (used) throw new InvalidArgumentError('blob body cannot be replayed');
            used = true;
            return pipeline(source, counter, () => {});
          },
          scopes: this.pushScopes,
          expect: [201, 204],
          context,
          signal: options.signal,
          retry: false,
        }),
      );
      discardBody(response.body);
    } catch (err) {
      source.destroy();
      if (!isAbort(err, options.signal)) await this.cancelUpload(location);
      throw err;
    }
  }

  async *tags(options: ListOptions = {}): AsyncIterable<string> {
    const query = new URLSearchParams();
    if (options.pageSize) query.set('n', String(options.pageSize));
    if (options.last) query.set('last', options.last);
    const qs = query.toString();
    let path: string | undefined = `/v2/${this.name}/tags/list${qs ? `?${qs}` : ''}`;
    while (path) {
      const current: string = path;
      const page = await this.guard('listing tags', () =>
        this.read(async (endpoint) => {
          const response = await endpoint.request(
            this.request('GET', current.startsWith('http') ? new URL(current) : current, {
              headers: { Accept: 'application/json' },
              expect: [200],
              context: this.context(undefined, 'listing tags'),
              signal: options.signal,
            }),
          );
          const text = (await readBody(response.body, 16 << 20)).toString('utf8');
          const parsed = tagListSchema.safeParse(safeJson(text));
          if (!parsed.success) throw new InvalidArgumentError(`registry ${this.registry}, repository ${this.name}: malformed tag list`);
          return { tags: parsed.data.tags ?? [], next: nextPageLink(response.headers.link) };
        }, options.signal),
      );
      yield* page.tags;
      path = page.next;
    }
  }

  async listTags(options: ListOptions = {}): Promise<string[]> {
    const tags: string[] = [];
    for await (const tag of this.tags(options)) tags.push(tag);
    return tags;
  }

  referrers(digest: Digest, options: CallOptions & { artifactType?: string } = {}): Promise<Descriptor[]> {
    return this.guard(`listing referrers of ${digest}`, async () => {
      const query = options.artifactType ? `?artifactType=${encodeURIComponent(options.artifactType)}` : '';
      const fromApi = await this.read(async (endpoint) => {
        const response = await endpoint.request(
          this.request('GET', `/v2/${this.name}/referrers/${digest}${query}`, {
            headers: { Accept: MediaTypes.OciIndex },
            expect: [200, 404],
            context: this.context(digest, 'listing referrers'),
            signal: options.signal,
          }),
        );
        const text = (await readBody(response.body, maxManifestBytes)).toString('utf8');
        if (response.status === 404 || !contentType(response.headers['content-type'])?.includes(MediaTypes.OciIndex)) return undefined;
        return parseIndexManifests(text, `referrers of ${digest}`);
      }, options.signal);
      let manifests = fromApi;
      if (manifests === undefined) {
        try {
          const fallback = await this.fetchManifest(`${digest.split(':')[0]}-${digestHex(digest)}`, options);
          manifests = parseIndexManifests(Buffer.from(fallback.bytes).toString('utf8'), `referrers tag of ${digest}`);
        } catch (err) {
          if (err instanceof NotFoundError || (err as { code?: string }).code === 'NotFound') return [];
          throw err;
        }
      }
      return options.artifactType ? manifests.filter((m) => m.artifactType === options.artifactType) : manifests;
    });
  }

  private request(
    method: string,
    path: string | URL,
    init: Omit<EndpointRequest, 'method' | 'path' | 'scopes' | 'signal'> & { scopes?: string[]; signal?: AbortSignal | undefined },
  ): EndpointRequest {
    const { signal, scopes, ...rest } = init;
    return { method, path, scopes: scopes ?? [this.pullScope], ...rest, ...(signal ? { signal } : {}) };
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function contentType(value: string | string[] | undefined): string | undefined {
  const v = header(value);
  return v ? mediaTypeEssence(v) || undefined : undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Registries sometimes serve manifests as `application/json`; the document's own `mediaType` then decides. */
function manifestMediaType(fromHeader: string | undefined, bytes: Uint8Array): string {
  if (fromHeader && fromHeader !== 'application/json' && fromHeader !== 'text/plain' && fromHeader !== 'application/octet-stream') return fromHeader;
  const json = safeJson(Buffer.from(bytes).toString('utf8')) as { mediaType?: unknown; manifests?: unknown; schemaVersion?: unknown } | undefined;
  if (typeof json?.mediaType === 'string') return json.mediaType;
  if (json?.schemaVersion === 1) return 'application/vnd.docker.distribution.manifest.v1+json';
  return Array.isArray(json?.manifests) ? MediaTypes.OciIndex : MediaTypes.OciManifest;
}

function parseIndexManifests(text: string, what: string): Descriptor[] {
  const parsed = indexManifestSchema.safeParse(safeJson(text));
  if (!parsed.success) throw new InvalidArgumentError(`${what} is not a valid OCI index`);
  return parsed.data.manifests;
}

/** Drops the first `count` bytes of a stream (for registries that ignore `Range`). */
export function skipBytes(count: number): Transform {
  let remaining = count;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (remaining >= chunk.byteLength) {
        remaining -= chunk.byteLength;
        callback();
        return;
      }
      const rest = chunk.subarray(remaining);
      remaining = 0;
      callback(null, rest);
    },
  });
}

/** Splits a stream into buffers of exactly `size` bytes (the last may be shorter). One chunk is held at a time. */
async function* chunksOf(source: Readable, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let held = 0;
  for await (const data of source) {
    let chunk = data as Buffer;
    while (chunk.byteLength > 0) {
      const take = Math.min(size - held, chunk.byteLength);
      parts.push(chunk.subarray(0, take));
      held += take;
      chunk = chunk.subarray(take);
      if (held === size) {
        yield Buffer.concat(parts, held);
        parts = [];
        held = 0;
      }
    }
  }
  if (held > 0) yield Buffer.concat(parts, held);
}

/** Network failures while streaming become `Unavailable` errors naming the blob; Berth errors pass through. */
function wrapStreamErrors(stream: Readable, context: RegistryErrorContext): Readable {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  stream.once('error', (err) => {
    if (!out.destroyed) out.destroy(asStreamError(err, context));
  });
  out.once('close', () => {
    if (!stream.destroyed) stream.destroy();
  });
  stream.pipe(out);
  return out;
}

function asStreamError(err: unknown, context: RegistryErrorContext): Error {
  const where = `registry ${context.registry}, repository ${context.repository}, blob ${context.reference}`;
  if (isAbort(err) || (err as { berthError?: boolean }).berthError) return err as Error;
  const registryError = err instanceof RegistryError ? err : new RegistryError({ ...context, cause: err });
  return asBerthError(registryError, where) as Error;
}
