import { InvalidArgumentError, NotFoundError } from '@berth/errdefs';
import { type Digest, type ImageReference, digestHex, parseAnyReference } from '@berth/spec';
import type { FactsReader } from './image-facts.js';
import { isDanglingName, storedReference } from './image-names.js';
import type { ImageRecord, ImageStore } from './image-store.js';

/** A record whose name is a reference (not a dangling placeholder). */
export interface NamedRecord {
  record: ImageRecord;
  reference: ImageReference;
}

/** One image as Docker sees it: every record whose target leads to the same image ID. */
export interface CatalogImage {
  /** The config digest of the host-platform image (or the target digest when the content is unreadable). */
  id: Digest;
  /** Whether the image's documents could be read. */
  readable: boolean;
  /** All records of the image, dangling placeholders included. */
  records: ImageRecord[];
  /** The records named by a reference: tags (`repo:tag`) and digests (`repo@sha256:…`). */
  named: NamedRecord[];
}

/** What a user-supplied reference or ID designates. */
export interface Resolution {
  image: CatalogImage;
  /** The input was the image ID, a prefix of it, or a digest — not a name. */
  byId: boolean;
  /** The records the input named, when it was a name (for untagging). */
  named: NamedRecord[];
  /** The parsed input, when it was a name. */
  reference?: ImageReference;
}

const idPrefixPattern = /^(?:sha256:)?[0-9a-f]+$/;

/**
 * A snapshot of the image store grouped into images by ID, with Docker's rules for
 * resolving what a user typed: a full ID or digest, then a name (`busybox`,
 * `busybox:1`, `busybox@sha256:…`), then an unambiguous ID prefix.
 */
export class ImageCatalog {
  private constructor(
    readonly images: CatalogImage[],
    private readonly byId: Map<Digest, CatalogImage>,
    private readonly byName: Map<string, CatalogImage>,
  ) {}

  /** Reads every record and groups them (reading each target's documents once). */
  static async load(store: Pick<ImageStore, 'list'>, reader: FactsReader): Promise<ImageCatalog> {
    const records = await store.list();
    const ids = await Promise.all(records.map((r) => reader.idOf(r.target)));
    const byId = new Map<Digest, CatalogImage>();
    const byName = new Map<string, CatalogImage>();
    records.forEach((record, i) => {
      const { id, readable } = ids[i]!;
      let image = byId.get(id);
      if (!image) {
        image = { id, readable, records: [], named: [] };
        byId.set(id, image);
      }
      image.records.push(record);
      const reference = storedReference(record.name);
      if (reference) image.named.push({ record, reference });
      byName.set(record.name, image);
    });
    return new ImageCatalog([...byId.values()], byId, byName);
  }

  /** The image with exactly this ID. */
  get(id: Digest): CatalogImage | undefined {
    return this.byId.get(id);
  }

  /** The image a record belongs to. */
  imageOfRecord(name: string): CatalogImage | undefined {
    return this.byName.get(name);
  }

  /** Resolves user input; `NotFound` when nothing matches, `InvalidArgument` when malformed or ambiguous. */
  resolve(input: string): Resolution {
    const parsed = parseAnyReference(input);
    if (parsed.kind === 'digest') {
      const image = this.byId.get(parsed.digest) ?? this.images.find((i) => i.records.some((r) => r.target.digest === parsed.digest));
      if (!image) throw new NotFoundError(`No such image: ${input}`, { details: { reference: input } });
      return { image, byId: true, named: [] };
    }
    const reference = parsed.reference;
    const named = this.namedBy(reference);
    if (named.length > 0) {
      return { image: this.byName.get(named[0]!.record.name)!, byId: false, named, reference };
    }
    if (idPrefixPattern.test(input)) {
      const image = this.byIdPrefix(input);
      if (image) return { image, byId: true, named: [] };
    }
    throw new NotFoundError(`No such image: ${reference.toDockerRef().familiar}`, { details: { reference: input } });
  }

  /**
   * The records a reference names. With a digest: the `repo@digest` record and every record
   * of the repository whose target has that digest. Otherwise the one `repo:tag` record
   * (tag defaulting to `latest`).
   */
  namedBy(reference: ImageReference): NamedRecord[] {
    const digest = reference.digest;
    if (digest === undefined) {
      const name = reference.withDefaultTag().toString();
      const image = this.byName.get(name);
      return image ? image.named.filter((n) => n.record.name === name) : [];
    }
    const repository = reference.name;
    const matches: NamedRecord[] = [];
    for (const image of this.images) {
      for (const n of image.named) {
        if (n.reference.name === repository && (n.record.target.digest === digest || n.reference.digest === digest)) matches.push(n);
      }
    }
    return matches;
  }

  private byIdPrefix(input: string): CatalogImage | undefined {
    const prefix = input.startsWith('sha256:') ? input.slice('sha256:'.length) : input;
    const found = this.images.filter((i) => i.id.startsWith('sha256:') && digestHex(i.id).startsWith(prefix));
    if (found.length > 1) {
      throw new InvalidArgumentError(`image ID prefix "${input}" is ambiguous: it matches ${found.length} images`, {
        details: { reference: input },
      });
    }
    return found[0];
  }
}

/** Whether a record is a dangling placeholder. */
export function isDanglingRecord(record: ImageRecord): boolean {
  return isDanglingName(record.name);
}
