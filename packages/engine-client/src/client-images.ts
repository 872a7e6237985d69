import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import {
  DistributionInspectSchema,
  ImageDeleteResponseItemSchema,
  ImageHistoryResponseItemSchema,
  ImageInspectSchema,
  ImagePruneResponseSchema,
  ImageSummarySchema,
  type ProgressMessage,
  ProgressMessageSchema,
  decodeJsonLines,
  distributionInspectFromWire,
} from '@berth/docker-api';
import type {
  ImageLoadResult,
  ImagePullHandle,
  ImagePullOptions,
  ImagePullResult,
  ImagePushHandle,
  ImagePushOptions,
  ImagePushResult,
  ImagesApi,
  ImportSource,
} from '@berth/engine';
import { InternalError, InvalidArgumentError, NotFoundError, UnauthorizedError } from '@berth/errdefs';
import { z } from 'zod';
import { type ClientContext, filtersQuery, responseBytes, segment, writeResponseTo } from './internal/client-context.js';
import type { DockerRequest, DockerTransport } from './internal/docker-transport.js';
import { ProgressChannel } from './internal/progress-channel.js';
import { splitReference } from './internal/reference.js';
import { registryAuthHeader } from './internal/registry-auth-header.js';
import {
  configChangesToWire,
  deleteEntryFromWire,
  historyFromWire,
  imageInspectFromWire,
  imageSummaryFromWire,
  pullEventFromWire,
  pushEventFromWire,
} from './wire-codec.js';

/**
 * A progress stream's failure (`{"error", "errorDetail"}` after a 200) as an errdefs error:
 * the status is gone, so the kind comes from docker's wording.
 */
function progressFailure(message: ProgressMessage): Error {
  const text = message.errorDetail?.message ?? message.error ?? 'unknown error';
  if (/not found|manifest unknown|does not exist/i.test(text)) return new NotFoundError(text);
  if (/unauthorized|authentication required|denied/i.test(text)) return new UnauthorizedError(text);
  if (/invalid|malformed/i.test(text)) return new InvalidArgumentError(text);
  return new InternalError(text);
}

/** Reads a JSON progress stream, failing on its error message; `each` sees every message. */
async function readProgress(
  transport: DockerTransport,
  request: DockerRequest,
  each: (message: ProgressMessage) => void,
): Promise<void> {
  const response = await transport.send(request);
  for await (const message of decodeJsonLines(responseBytes(response, undefined), { schema: ProgressMessageSchema })) {
    if (message.error || message.errorDetail) throw progressFailure(message);
    each(message);
  }
  // An abort destroys the response: the loop just ends, so say why.
  if (request.signal?.aborted) throw request.signal.reason;
}

function platformString(platform: ImagePullOptions['platform']): string | undefined {
  if (platform === undefined || typeof platform === 'string') return platform;
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

async function bodyOf(source: ImportSource): Promise<Readable> {
  if (source instanceof Readable) return source;
  if (source instanceof Uint8Array) return Readable.from([source]);
  return await source();
}

/** Images over `/images/*`. */
export function clientImages({ transport }: ClientContext): ImagesApi {
  const path = (name: string, rest = '') => `/images/${segment(name)}${rest}`;

  const inspect: ImagesApi['inspect'] = async (reference) =>
    imageInspectFromWire(await transport.json({ method: 'GET', path: path(reference, '/json') }, ImageInspectSchema));

  return {
    pull(reference, options = {}): ImagePullHandle {
      const progress = new ProgressChannel<NonNullable<ReturnType<typeof pullEventFromWire>>>();
      const { repository, tag } = splitReference(reference);
      const familiar = tag === undefined ? `${repository}:latest` : reference;
      const done = (async (): Promise<ImagePullResult> => {
        let digest = '';
        try {
          await readProgress(
            transport,
            {
              method: 'POST',
              path: '/images/create',
              query: { fromImage: repository, tag: tag ?? 'latest', platform: platformString(options.platform) },
              headers: await registryAuthHeader(reference, options.auth),
              signal: options.signal,
            },
            (message) => {
              const found = /^Digest: (\S+)/.exec(message.status ?? '');
              if (found) digest = found[1]!;
              const event = pullEventFromWire(message);
              if (event) progress.push(event);
            },
          );
        } finally {
          progress.end();
        }
        const image = await inspect(familiar);
        return { reference: familiar, id: image.id, digest: digest || (image.repoDigests[0]?.split('@')[1] ?? '') };
      })();
      done.catch(() => undefined);
      return { progress, done };
    },
    push(reference, options: ImagePushOptions = {}): ImagePushHandle {
      const progress = new ProgressChannel<NonNullable<ReturnType<typeof pushEventFromWire>>>();
      const { repository, tag } = splitReference(reference);
      const done = (async (): Promise<ImagePushResult> => {
        const result: ImagePushResult = { reference, digest: '', size: 0 };
        const aux = z.looseObject({ Tag: z.string().optional(), Digest: z.string().optional(), Size: z.number().optional() });
        try {
          await readProgress(
            transport,
            {
              method: 'POST',
              path: path(repository, '/push'),
              query: { tag },
              headers: await registryAuthHeader(reference, options.auth),
              signal: options.signal,
            },
            (message) => {
              const parsed = aux.safeParse(message.aux);
              if (parsed.success && parsed.data.Digest) {
                result.digest = parsed.data.Digest;
                result.size = parsed.data.Size ?? 0;
              }
              const event = pushEventFromWire(message);
              if (event) progress.push(event);
            },
          );
        } finally {
          progress.end();
        }
        return result;
      })();
      done.catch(() => undefined);
      return { progress, done };
    },
    async list(options = {}) {
      const wire = await transport.json(
        { method: 'GET', path: '/images/json', query: { all: options.all, filters: filtersQuery(options.filters) } },
        z.array(ImageSummarySchema).nullable(),
      );
      return (wire ?? []).map(imageSummaryFromWire);
    },
    inspect,
    async tag(source, target) {
      const { repository, tag } = splitReference(target);
      await transport.empty({ method: 'POST', path: path(source, '/tag'), query: { repo: repository, tag: tag ?? 'latest' } });
    },
    async remove(reference, options = {}) {
      const wire = await transport.json(
        { method: 'DELETE', path: path(reference), query: { force: options.force, noprune: options.noPrune } },
        z.array(ImageDeleteResponseItemSchema).nullable(),
      );
      return (wire ?? []).map(deleteEntryFromWire);
    },
    async save(references, target, options = {}) {
      const response = await transport.send({ method: 'GET', path: '/images/get', query: { names: references }, signal: options.signal });
      await writeResponseTo(response, target, options.signal);
    },
    async load(source, options = {}) {
      const body = typeof source === 'string' ? createReadStream(source) : source;
      const names: string[] = [];
      const ids: string[] = [];
      await readProgress(
        transport,
        { method: 'POST', path: '/images/load', query: { quiet: true }, body, contentType: 'application/x-tar', signal: options.signal },
        (message) => {
          for (const line of (message.stream ?? message.status ?? '').split('\n')) {
            const id = /^Loaded image ID: (\S+)/.exec(line);
            const name = /^Loaded image: (\S+)/.exec(line);
            if (id) ids.push(id[1]!);
            else if (name) names.push(name[1]!);
          }
        },
      );
      const images: ImageLoadResult['images'] = ids.map((id) => ({ id, repoTags: [] }));
      for (const name of names) {
        const { id } = await inspect(name);
        const entry = images.find((image) => image.id === id);
        if (entry) entry.repoTags.push(name);
        else images.push({ id, repoTags: [name] });
      }
      return { images };
    },
    async import(source, options = {}) {
      const reference = options.reference ? splitReference(options.reference) : undefined;
      let id = '';
      await readProgress(
        transport,
        {
          method: 'POST',
          path: '/images/create',
          query: {
            fromSrc: '-',
            repo: reference?.repository,
            tag: reference?.tag,
            message: options.message,
            changes: configChangesToWire(options.changes),
            platform: platformString(options.platform),
          },
          body: await bodyOf(source),
          contentType: 'application/x-tar',
          signal: options.signal,
        },
        (message) => {
          // The last status of an import is the new image's ID.
          if (message.status && /^sha256:[0-9a-f]{64}$/.test(message.status.trim())) id = message.status.trim();
        },
      );
      if (id === '') throw new InternalError('the daemon did not report the ID of the imported image');
      return { id };
    },
    async history(reference) {
      const wire = await transport.json({ method: 'GET', path: path(reference, '/history') }, z.array(ImageHistoryResponseItemSchema).nullable());
      return (wire ?? []).map(historyFromWire);
    },
    async prune(options = {}) {
      const reply = await transport.json(
        { method: 'POST', path: '/images/prune', query: { filters: filtersQuery(options.filters) }, signal: options.signal },
        ImagePruneResponseSchema,
      );
      return { imagesDeleted: (reply.ImagesDeleted ?? []).map(deleteEntryFromWire), spaceReclaimed: reply.SpaceReclaimed ?? 0 };
    },
    async inspectDistribution(reference, options = {}) {
      // Slashes stay as they are: dockerd's route matches the raw path (`{name:.*}`).
      const name = reference.split('/').map(segment).join('/');
      const reply = await transport.json(
        { method: 'GET', path: `/distribution/${name}/json`, headers: await registryAuthHeader(reference, options.auth), signal: options.signal },
        DistributionInspectSchema,
      );
      return distributionInspectFromWire(reply);
    },
  };
}
