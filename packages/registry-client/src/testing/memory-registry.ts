import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Descriptor, type Digest, MediaTypes, digestOf, isDigest, isIndexMediaType } from '@berth/spec';
import { FaultQueue, type RegistryFault } from './faults.js';
import { type MemoryRegistryAuth, MemoryRegistryAuthenticator, deny } from './memory-registry-auth.js';

/** Settings of an in-memory registry. */
export interface MemoryRegistryOptions {
  /** Authentication; none (open to all) when absent. */
  auth?: MemoryRegistryAuth;
  /** Whether `DELETE` of manifests and blobs is allowed (default true; distribution disables it by default). */
  deleteEnabled?: boolean;
  /** Whether the OCI referrers API is served (default true); without it clients must use the tag scheme. */
  referrersApi?: boolean;
  /** Whether blob `GET`s honour `Range` (default true). */
  rangeRequests?: boolean;
  /** Largest page of tag and catalog lists when the client asks for none (default 100). */
  defaultPageSize?: number;
}

/** One request as the registry saw it, for assertions. */
export interface RecordedRequest {
  method: string;
  /** Path without the query. */
  path: string;
  query: Record<string, string>;
  /** The `Range` header, if any. */
  range: string | undefined;
  /** The `Authorization` scheme (`Basic`, `Bearer`) if any. */
  authorization: string | undefined;
  /** Response status, once sent. */
  status?: number;
}

interface StoredManifest {
  bytes: Buffer;
  mediaType: string;
  digest: Digest;
  subject: Digest | undefined;
  artifactType: string | undefined;
  annotations: Record<string, string> | undefined;
}

interface Repository {
  manifests: Map<Digest, StoredManifest>;
  tags: Map<string, Digest>;
  blobs: Set<Digest>;
}

interface Upload {
  repository: string;
  parts: Buffer[];
  size: number;
}

type Fault = RegistryFault | undefined;

/**
 * An OCI distribution registry held in memory, as a `node:http` request handler — enough
 * of the API to test clients: manifests (by tag and digest), blobs with `Range`, uploads
 * (monolithic, chunked, single-`POST`), cross-repository mounts, tag and catalog
 * pagination, deletes, referrers, basic or token auth, and fault injection.
 * Serve it with `startMemoryRegistry()`, or mount {@link MemoryRegistry.handler} in your own server.
 */
export class MemoryRegistry {
  private readonly repositories = new Map<string, Repository>();
  private readonly blobs = new Map<Digest, Buffer>();
  private readonly uploads = new Map<string, Upload>();
  private readonly faultQueue = new FaultQueue();
  private readonly authenticator: MemoryRegistryAuthenticator;
  /** Every request received, oldest first. */
  readonly requests: RecordedRequest[] = [];

  constructor(private readonly options: MemoryRegistryOptions = {}) {
    this.authenticator = new MemoryRegistryAuthenticator(options.auth);
  }

  /** The `node:http` request handler. */
  readonly handler = (req: IncomingMessage, res: ServerResponse): void => {
    this.handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) deny(res, 500, 'UNKNOWN', err instanceof Error ? err.message : String(err));
      else res.destroy();
    });
  };

  /** Injects a fault into the next matching request(s). */
  injectFault(fault: RegistryFault): void {
    this.faultQueue.add(fault);
  }

  /** Drops all pending faults. */
  clearFaults(): void {
    this.faultQueue.clear();
  }

  /** Invalidates all issued tokens (token auth): the next requests must renew theirs. */
  revokeTokens(): void {
    this.authenticator.revokeTokens();
  }

  /** Scopes asked of the token endpoint, per token request. */
  get tokenRequests(): readonly string[][] {
    return this.authenticator.tokenRequests;
  }

  /** Stores a blob in `repository` directly (test setup). */
  putBlob(repository: string, bytes: Uint8Array): Digest {
    const digest = digestOf(bytes);
    this.blobs.set(digest, Buffer.from(bytes));
    this.repo(repository, true).blobs.add(digest);
    return digest;
  }

  /** Stores a manifest directly (test setup), tagged when `reference` is a tag. */
  putManifest(repository: string, reference: string, bytes: Uint8Array, mediaType: string): Digest {
    const stored = storedManifest(Buffer.from(bytes), mediaType);
    const repo = this.repo(repository, true);
    repo.manifests.set(stored.digest, stored);
    if (!isDigest(reference)) repo.tags.set(reference, stored.digest);
    return stored.digest;
  }

  /** A stored blob's bytes, or `undefined`. */
  blob(digest: Digest): Buffer | undefined {
    return this.blobs.get(digest);
  }

  /** Whether `repository` links blob `digest`. */
  hasBlob(repository: string, digest: Digest): boolean {
    return this.repositories.get(repository)?.blobs.has(digest) ?? false;
  }

  /** A stored manifest by tag or digest, or `undefined`. */
  manifest(repository: string, reference: string): { bytes: Buffer; mediaType: string; digest: Digest } | undefined {
    const repo = this.repositories.get(repository);
    if (!repo) return undefined;
    const digest = isDigest(reference) ? reference : repo.tags.get(reference);
    return digest ? repo.manifests.get(digest) : undefined;
  }

  /** The tags of `repository`, sorted. */
  tags(repository: string): string[] {
    return [...(this.repositories.get(repository)?.tags.keys() ?? [])].sort();
  }

  /** Number of upload sessions still open. */
  get openUploads(): number {
    return this.uploads.size;
  }

  private repo(name: string, create: true): Repository;
  private repo(name: string, create?: false): Repository | undefined;
  private repo(name: string, create = false): Repository | undefined {
    let repo = this.repositories.get(name);
    if (!repo && create) {
      repo = { manifests: new Map(), tags: new Map(), blobs: new Set() };
      this.repositories.set(name, repo);
    }
    return repo;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://registry.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      range: req.headers.range,
      authorization: req.headers.authorization?.split(' ')[0],
    };
    this.requests.push(record);
    res.once('finish', () => (record.status = res.statusCode));
    res.once('close', () => (record.status ??= res.statusCode));
    res.setHeader('Docker-Distribution-API-Version', 'registry/2.0');

    if (url.pathname === '/token') return this.authenticator.serveToken(req, res, url);
    const fault = this.faultQueue.take(method, url.pathname);
    if (fault?.type === 'status') {
      req.resume();
      const headers: Record<string, string> = fault.retryAfter === undefined ? {} : { 'Retry-After': fault.retryAfter };
      deny(res, fault.status, fault.code ?? defaultCode(fault.status), 'injected fault', headers);
      return;
    }

    const path = url.pathname;
    if (path === '/v2/' || path === '/v2') {
      if (!this.authenticator.authorize(req, res, undefined)) return void req.resume();
      return json(res, 200, {});
    }
    if (path === '/v2/_catalog') {
      if (!this.authenticator.authorize(req, res, 'registry:catalog:*')) return void req.resume();
      return this.catalog(res, url);
    }
    let m: RegExpExecArray | null;
    if ((m = /^\/v2\/(.+)\/blobs\/uploads\/([^/]*)$/.exec(path))) {
      const [, name, id] = m as unknown as [string, string, string];
      if (!this.authenticator.authorize(req, res, `repository:${name}:push`)) return void req.resume();
      return this.upload(req, res, url, method, name, id);
    }
    if ((m = /^\/v2\/(.+)\/blobs\/([^/]+)$/.exec(path))) {
      const [, name, digest] = m as unknown as [string, string, string];
      const action = method === 'DELETE' ? 'delete' : 'pull';
      if (!this.authenticator.authorize(req, res, `repository:${name}:${action}`)) return void req.resume();
      return this.blobRoute(req, res, method, name, digest, fault);
    }
    if ((m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(path))) {
      const [, name, reference] = m as unknown as [string, string, string];
      const action = method === 'PUT' ? 'push' : method === 'DELETE' ? 'delete' : 'pull';
      if (!this.authenticator.authorize(req, res, `repository:${name}:${action}`)) return void req.resume();
      return this.manifestRoute(req, res, method, name, reference, fault);
    }
    if ((m = /^\/v2\/(.+)\/tags\/list$/.exec(path))) {
      const name = m[1]!;
      if (!this.authenticator.authorize(req, res, `repository:${name}:pull`)) return void req.resume();
      return this.tagList(res, url, name);
    }
    if ((m = /^\/v2\/(.+)\/referrers\/([^/]+)$/.exec(path)) && this.options.referrersApi !== false) {
      const [, name, digest] = m as unknown as [string, string, string];
      if (!this.authenticator.authorize(req, res, `repository:${name}:pull`)) return void req.resume();
      return this.referrers(res, url, name, digest);
    }
    req.resume();
    deny(res, 404, 'NOT_FOUND', `no route for ${method} ${path}`);
  }

  private manifestRoute(req: IncomingMessage, res: ServerResponse, method: string, name: string, reference: string, fault: Fault): Promise<void> | void {
    if (method === 'PUT') return this.putManifestRoute(req, res, name, reference);
    req.resume();
    const repo = this.repo(name);
    if (method === 'DELETE') {
      if (this.options.deleteEnabled === false) return deny(res, 405, 'UNSUPPORTED', 'deletes are disabled');
      if (!repo) return deny(res, 404, 'NAME_UNKNOWN', `repository ${name} not known`);
      if (isDigest(reference)) {
        if (!repo.manifests.delete(reference)) return deny(res, 404, 'MANIFEST_UNKNOWN', `manifest ${reference} unknown`);
        for (const [tag, digest] of repo.tags) if (digest === reference) repo.tags.delete(tag);
      } else if (!repo.tags.delete(reference)) {
        return deny(res, 404, 'MANIFEST_UNKNOWN', `tag ${reference} unknown`);
      }
      res.writeHead(202, { 'Content-Length': 0 });
      return void res.end();
    }
    if (method !== 'GET' && method !== 'HEAD') return deny(res, 405, 'UNSUPPORTED', `${method} not allowed`);
    if (!repo) return deny(res, 404, 'NAME_UNKNOWN', `repository ${name} not known`);
    const digest = isDigest(reference) ? reference : repo.tags.get(reference);
    const stored = digest ? repo.manifests.get(digest) : undefined;
    if (!stored) return deny(res, 404, 'MANIFEST_UNKNOWN', `manifest ${reference} unknown`);
    sendBody(res, method, 200, { 'Content-Type': stored.mediaType, 'Docker-Content-Digest': stored.digest }, stored.bytes, fault);
  }

  private async putManifestRoute(req: IncomingMessage, res: ServerResponse, name: string, reference: string): Promise<void> {
    const bytes = await readAll(req);
    const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    let stored: StoredManifest;
    try {
      stored = storedManifest(bytes, mediaType);
    } catch (err) {
      return deny(res, 400, 'MANIFEST_INVALID', (err as Error).message);
    }
    if (isDigest(reference) && reference !== stored.digest) return deny(res, 400, 'DIGEST_INVALID', `manifest digest is ${stored.digest}, not ${reference}`);
    const repo = this.repo(name, true);
    const document = JSON.parse(bytes.toString('utf8')) as { config?: Descriptor; layers?: Descriptor[]; manifests?: Descriptor[] };
    if (isIndexMediaType(stored.mediaType)) {
      const missing = (document.manifests ?? []).find((d) => !repo.manifests.has(d.digest));
      if (missing) return deny(res, 400, 'MANIFEST_BLOB_UNKNOWN', `manifest ${missing.digest} unknown`);
    } else {
      const missing = [document.config, ...(document.layers ?? [])].find((d) => d && !repo.blobs.has(d.digest));
      if (missing) return deny(res, 400, 'MANIFEST_BLOB_UNKNOWN', `blob ${missing.digest} unknown`);
    }
    repo.manifests.set(stored.digest, stored);
    if (!isDigest(reference)) repo.tags.set(reference, stored.digest);
    const headers: Record<string, string | number> = {
      Location: `/v2/${name}/manifests/${stored.digest}`,
      'Docker-Content-Digest': stored.digest,
      'Content-Length': 0,
    };
    if (stored.subject) headers['OCI-Subject'] = stored.subject;
    res.writeHead(201, headers);
    res.end();
  }

  private blobRoute(req: IncomingMessage, res: ServerResponse, method: string, name: string, digest: string, fault: Fault): void {
    req.resume();
    const repo = this.repo(name);
    if (!isDigest(digest)) return deny(res, 400, 'DIGEST_INVALID', `invalid digest ${digest}`);
    if (method === 'DELETE') {
      if (this.options.deleteEnabled === false) return deny(res, 405, 'UNSUPPORTED', 'deletes are disabled');
      if (!repo?.blobs.delete(digest)) return deny(res, 404, 'BLOB_UNKNOWN', `blob ${digest} unknown`);
      if (![...this.repositories.values()].some((r) => r.blobs.has(digest))) this.blobs.delete(digest);
      res.writeHead(202, { 'Content-Length': 0 });
      return void res.end();
    }
    if (method !== 'GET' && method !== 'HEAD') return deny(res, 405, 'UNSUPPORTED', `${method} not allowed`);
    const bytes = repo?.blobs.has(digest) ? this.blobs.get(digest) : undefined;
    if (!bytes) return deny(res, 404, 'BLOB_UNKNOWN', `blob ${digest} unknown`);
    const headers = { 'Content-Type': 'application/octet-stream', 'Docker-Content-Digest': digest, 'Accept-Ranges': 'bytes' };
    const range = req.headers.range;
    if (range && this.options.rangeRequests !== false && method === 'GET') {
      const match = /^bytes=(\d+)-(\d*)$/.exec(range);
      const start = match ? Number(match[1]) : NaN;
      const end = match && match[2] ? Math.min(Number(match[2]), bytes.byteLength - 1) : bytes.byteLength - 1;
      if (!match || start >= bytes.byteLength || end < start) {
        return deny(res, 416, 'RANGE_INVALID', `invalid range ${range}`, { 'Content-Range': `bytes */${bytes.byteLength}` });
      }
      return sendBody(res, method, 206, { ...headers, 'Content-Range': `bytes ${start}-${end}/${bytes.byteLength}` }, bytes.subarray(start, end + 1), fault);
    }
    sendBody(res, method, 200, headers, bytes, fault);
  }

  private async upload(req: IncomingMessage, res: ServerResponse, url: URL, method: string, name: string, id: string): Promise<void> {
    if (method === 'POST' && id === '') {
      const mount = url.searchParams.get('mount');
      const from = url.searchParams.get('from');
      if (mount && from && isDigest(mount)) {
        req.resume();
        if (this.repo(from)?.blobs.has(mount) && this.authenticator.grants(req, `repository:${from}:pull`)) {
          this.repo(name, true).blobs.add(mount);
          res.writeHead(201, { Location: `/v2/${name}/blobs/${mount}`, 'Docker-Content-Digest': mount, 'Content-Length': 0 });
          return void res.end();
        }
      }
      const digest = url.searchParams.get('digest');
      if (digest) {
        const bytes = await readAll(req);
        return this.finishBlob(res, name, digest, [bytes]);
      }
      req.resume();
      const uuid = randomUUID();
      this.uploads.set(uuid, { repository: name, parts: [], size: 0 });
      this.repo(name, true);
      return this.uploadStatus(res, 202, name, uuid, 0);
    }
    const upload = this.uploads.get(id);
    if (!upload || upload.repository !== name) {
      req.resume();
      return deny(res, 404, 'BLOB_UPLOAD_UNKNOWN', `upload ${id} unknown`);
    }
    if (method === 'GET') {
      req.resume();
      return this.uploadStatus(res, 204, name, id, upload.size);
    }
    if (method === 'DELETE') {
      req.resume();
      this.uploads.delete(id);
      res.writeHead(204);
      return void res.end();
    }
    if (method === 'PATCH') {
      const range = req.headers['content-range'];
      if (range) {
        const match = /^(?:bytes )?(\d+)-(\d+)$/.exec(range);
        if (!match || Number(match[1]) !== upload.size) {
          req.resume();
          return deny(res, 416, 'BLOB_UPLOAD_INVALID', `content range ${range} does not continue at ${upload.size}`, {
            Range: `0-${Math.max(upload.size - 1, 0)}`,
          });
        }
      }
      const bytes = await readAll(req);
      upload.parts.push(bytes);
      upload.size += bytes.byteLength;
      return this.uploadStatus(res, 202, name, id, upload.size);
    }
    if (method === 'PUT') {
      const bytes = await readAll(req);
      const digest = url.searchParams.get('digest');
      this.uploads.delete(id);
      if (!digest) return deny(res, 400, 'DIGEST_INVALID', 'digest parameter missing');
      return this.finishBlob(res, name, digest, [...upload.parts, bytes]);
    }
    req.resume();
    deny(res, 405, 'UNSUPPORTED', `${method} not allowed on uploads`);
  }

  private finishBlob(res: ServerResponse, name: string, digest: string, parts: Buffer[]): void {
    const bytes = Buffer.concat(parts);
    if (!isDigest(digest)) return deny(res, 400, 'DIGEST_INVALID', `invalid digest ${digest}`);
    const actual = digestOf(bytes, digest.startsWith('sha512:') ? 'sha512' : 'sha256');
    if (actual !== digest) return deny(res, 400, 'DIGEST_INVALID', `uploaded content has digest ${actual}, not ${digest}`);
    this.blobs.set(digest, bytes);
    this.repo(name, true).blobs.add(digest);
    res.writeHead(201, { Location: `/v2/${name}/blobs/${digest}`, 'Docker-Content-Digest': digest, 'Content-Length': 0 });
    res.end();
  }

  private uploadStatus(res: ServerResponse, status: number, name: string, uuid: string, size: number): void {
    res.writeHead(status, {
      Location: `/v2/${name}/blobs/uploads/${uuid}?_state=${size}`,
      'Docker-Upload-UUID': uuid,
      Range: `0-${Math.max(size - 1, 0)}`,
      'Content-Length': 0,
    });
    res.end();
  }

  private tagList(res: ServerResponse, url: URL, name: string): void {
    const repo = this.repo(name);
    if (!repo) return deny(res, 404, 'NAME_UNKNOWN', `repository ${name} not known`);
    const page = paginate([...repo.tags.keys()].sort(), url, this.options.defaultPageSize ?? 100);
    if (page.next) res.setHeader('Link', `</v2/${name}/tags/list?${page.next}>; rel="next"`);
    json(res, 200, { name, tags: page.items });
  }

  private catalog(res: ServerResponse, url: URL): void {
    const names = [...this.repositories.entries()].filter(([, r]) => r.manifests.size > 0 || r.blobs.size > 0).map(([n]) => n).sort();
    const page = paginate(names, url, this.options.defaultPageSize ?? 100);
    if (page.next) res.setHeader('Link', `</v2/_catalog?${page.next}>; rel="next"`);
    json(res, 200, { repositories: page.items });
  }

  private referrers(res: ServerResponse, url: URL, name: string, digest: string): void {
    if (!isDigest(digest)) return deny(res, 400, 'DIGEST_INVALID', `invalid digest ${digest}`);
    const artifactType = url.searchParams.get('artifactType');
    const manifests: Descriptor[] = [];
    for (const stored of this.repo(name)?.manifests.values() ?? []) {
      if (stored.subject !== digest) continue;
      if (artifactType && stored.artifactType !== artifactType) continue;
      manifests.push({
        mediaType: stored.mediaType,
        digest: stored.digest,
        size: stored.bytes.byteLength,
        ...(stored.artifactType ? { artifactType: stored.artifactType } : {}),
        ...(stored.annotations ? { annotations: stored.annotations } : {}),
      });
    }
    if (artifactType) res.setHeader('OCI-Filters-Applied', 'artifactType');
    const body = JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.OciIndex, manifests });
    res.writeHead(200, { 'Content-Type': MediaTypes.OciIndex, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }
}

function storedManifest(bytes: Buffer, mediaTypeHeader: string): StoredManifest {
  let document: { mediaType?: unknown; subject?: { digest?: unknown }; artifactType?: unknown; config?: { mediaType?: unknown }; annotations?: unknown; schemaVersion?: unknown };
  try {
    document = JSON.parse(bytes.toString('utf8')) as typeof document;
  } catch {
    throw new Error('manifest is not JSON');
  }
  if (document.schemaVersion !== 2) throw new Error('schemaVersion must be 2');
  const mediaType = typeof document.mediaType === 'string' ? document.mediaType : mediaTypeHeader;
  if (!mediaType) throw new Error('manifest media type unknown');
  if (mediaTypeHeader && typeof document.mediaType === 'string' && mediaTypeHeader !== document.mediaType) {
    throw new Error(`Content-Type ${mediaTypeHeader} does not match the manifest's mediaType ${document.mediaType}`);
  }
  const subject = typeof document.subject?.digest === 'string' && isDigest(document.subject.digest) ? document.subject.digest : undefined;
  const artifactType =
    typeof document.artifactType === 'string' ? document.artifactType : typeof document.config?.mediaType === 'string' && subject ? document.config.mediaType : undefined;
  return {
    bytes,
    mediaType,
    digest: digestOf(bytes),
    subject,
    artifactType,
    annotations: document.annotations && typeof document.annotations === 'object' ? (document.annotations as Record<string, string>) : undefined,
  };
}

function paginate(all: string[], url: URL, defaultSize: number): { items: string[]; next: string | undefined } {
  const n = Number(url.searchParams.get('n') ?? defaultSize) || defaultSize;
  const last = url.searchParams.get('last');
  const start = last ? all.findIndex((x) => x > last) : 0;
  const from = start === -1 ? all.length : start;
  const items = all.slice(from, from + n);
  const more = from + n < all.length;
  return { items, next: more ? `last=${encodeURIComponent(items[items.length - 1]!)}&n=${n}` : undefined };
}

function defaultCode(status: number): string {
  if (status === 429) return 'TOOMANYREQUESTS';
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'DENIED';
  return 'UNKNOWN';
}

function json(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Sends `bytes` (none for `HEAD`), applying a `corrupt` or `drop` fault. */
function sendBody(res: ServerResponse, method: string, status: number, headers: Record<string, string>, bytes: Buffer, fault: Fault): void {
  res.writeHead(status, { ...headers, 'Content-Length': bytes.byteLength });
  if (method === 'HEAD') return void res.end();
  if (fault?.type === 'corrupt' && bytes.byteLength > 0) {
    const copy = Buffer.from(bytes);
    const at = Math.floor(copy.byteLength / 2);
    copy[at] = copy[at]! ^ 0xff;
    return void res.end(copy);
  }
  if (fault?.type === 'drop') {
    res.write(bytes.subarray(0, Math.min(fault.afterBytes, bytes.byteLength)), () => {
      res.socket?.destroy();
    });
    return;
  }
  res.end(bytes);
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
