import { InvalidArgumentError } from '@berth/errdefs';
import { type CredentialSource, chainCredentials, createRegistryClient, staticCredentials } from '@berth/registry-client';
import { type Platform, parseManifestDocument, parseReference } from '@berth/spec';
import { z } from 'zod';
import type { EngineContext } from '../internal/engine-context.js';
import type { ImageDistributionInspect, ImageDistributionOptions } from './image-types.js';

/** Image configs larger than this are refused (read into memory for their platform). */
const maxConfigBytes = 16 << 20;

/** The platform fields of an image config; the rest of the config does not matter here. */
const configPlatformSchema = z.looseObject({
  architecture: z.string().optional(),
  os: z.string().optional(),
  'os.version': z.string().optional(),
  'os.features': z.array(z.string()).optional(),
  variant: z.string().optional(),
});

/**
 * docker's distribution inspect: fetches the document the reference names (one manifest
 * request) and lists its platforms — an index's from its entries, a single manifest's from
 * its config blob (one more request). Nothing is stored.
 */
export async function inspectDistribution(context: EngineContext, reference: string, options: ImageDistributionOptions = {}): Promise<ImageDistributionInspect> {
  const { components } = context;
  const ref = parseReference(reference).withDefaultTag();
  if (ref.domain === '') throw new InvalidArgumentError(`reference ${reference} names no registry`);
  const auth = options.auth ?? components.auth;
  const sources: CredentialSource[] = [];
  if (typeof auth === 'function') sources.push(auth);
  else if (auth) sources.push(staticCredentials({ [ref.domain]: auth }));
  if (components.registry?.credentials) sources.push(components.registry.credentials);
  const client = createRegistryClient({ ...components.registry, ...(sources.length > 0 ? { credentials: chainCredentials(...sources) } : {}) });
  const call = options.signal ? { signal: options.signal } : {};
  try {
    const repository = client.repository(ref.domain, ref.path);
    const top = await repository.fetchManifest(ref.digest ?? ref.tag ?? 'latest', call);
    const where = `registry ${ref.domain}, repository ${ref.path}, reference ${ref.digest ?? ref.tag ?? 'latest'}`;
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(top.bytes).toString('utf8'));
    } catch (cause) {
      throw new InvalidArgumentError(`${where}: manifest is not valid JSON`, { cause });
    }
    const document = parseManifestDocument(json, top.descriptor.mediaType);
    const descriptor = { mediaType: top.descriptor.mediaType, digest: top.descriptor.digest, size: top.descriptor.size };
    if (document.kind === 'index') {
      return { descriptor, platforms: document.index.manifests.flatMap((entry) => (entry.platform ? [entry.platform] : [])) };
    }
    const config = document.manifest.config;
    if (config.size > maxConfigBytes) throw new InvalidArgumentError(`${where}: image config of ${config.size} bytes is too large`);
    const chunks: Buffer[] = [];
    for await (const chunk of await repository.fetchBlob(config, call)) chunks.push(chunk as Buffer);
    let parsed: z.infer<typeof configPlatformSchema>;
    try {
      parsed = configPlatformSchema.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    } catch (cause) {
      throw new InvalidArgumentError(`${where}: image config ${config.digest} is not a valid image config`, { cause });
    }
    // dockerd lists the config's platform only when it names an OS or an architecture.
    const platforms: Platform[] = [];
    if (parsed.os || parsed.architecture) {
      platforms.push({
        architecture: parsed.architecture ?? '',
        os: parsed.os ?? '',
        ...(parsed['os.version'] ? { 'os.version': parsed['os.version'] } : {}),
        ...(parsed['os.features'] ? { 'os.features': parsed['os.features'] } : {}),
        ...(parsed.variant ? { variant: parsed.variant } : {}),
      });
    }
    return { descriptor, platforms };
  } finally {
    client.close();
  }
}
