import { InvalidArgumentError } from '@berth/errdefs';
import { z } from 'zod';
import type { Digest } from './digest.js';
import { checkReferenceDigest } from './internal/reference-digest.js';
import {
  LOCALHOST,
  anchoredDigestRegexp,
  anchoredDomainRegexp,
  anchoredIdentifierRegexp,
  anchoredNameRegexp,
  anchoredPathRegexp,
  anchoredTagRegexp,
  referenceRegexp,
} from './internal/reference-grammar.js';

/** The registry domain of Docker Hub in canonical names (`docker.io/library/busybox`). */
export const DEFAULT_DOMAIN = 'docker.io';
/** Docker Hub's legacy domain; references using it are normalised to {@link DEFAULT_DOMAIN}. */
export const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
/** The Docker Hub namespace of official images (`busybox` → `library/busybox`). */
export const OFFICIAL_REPOSITORY_PREFIX = 'library/';
/** The tag a reference gets when it names neither a tag nor a digest. */
export const DEFAULT_TAG = 'latest';
/** The longest repository path (without domain) a reference may have. */
export const REPOSITORY_NAME_MAX_LENGTH = 255;

/** The parts of an {@link ImageReference}. */
export interface ImageReferenceParts {
  /** Registry host with optional port (`docker.io`, `localhost:5000`, `[::1]:5000`). */
  readonly domain: string;
  /** Repository path inside the registry (`library/busybox`, `user/app`). */
  readonly path: string;
  /** Tag, when the reference names one. */
  readonly tag?: string | undefined;
  /** Digest, when the reference pins one. */
  readonly digest?: Digest | undefined;
}

function invalidReference(message: string, reference: string): InvalidArgumentError {
  return new InvalidArgumentError(message, { details: { reference } });
}

/**
 * A parsed, normalised image reference — `domain/path[:tag][@digest]` — with
 * Docker's canonical and familiar renderings. Instances are immutable values: build
 * them with {@link parseReference} (user input, familiar names allowed),
 * {@link parseDockerRef} or {@link ImageReference.fromParts}, and derive new ones
 * with {@link ImageReference.withTag}, {@link ImageReference.withDigest} and
 * {@link ImageReference.withDefaultTag}. `JSON.stringify` writes the canonical string.
 */
export class ImageReference implements ImageReferenceParts {
  /** Registry host with optional port; `docker.io` for Docker Hub. */
  readonly domain: string;
  /** Repository path inside the registry (`library/busybox`). */
  readonly path: string;
  /** Tag, or `undefined` when the reference names none. */
  readonly tag: string | undefined;
  /** Digest, or `undefined` when the reference pins none. */
  readonly digest: Digest | undefined;

  private constructor(parts: ImageReferenceParts) {
    this.domain = parts.domain;
    this.path = parts.path;
    this.tag = parts.tag;
    this.digest = parts.digest;
  }

  /**
   * Builds a reference from already-separated parts, validating each against the
   * reference grammar (no normalisation: `busybox` stays a path without `library/`).
   * Throws `InvalidArgument` with Docker's message when a part is malformed.
   */
  static fromParts(parts: ImageReferenceParts): ImageReference {
    const display = formatReference(parts);
    if (parts.domain !== '' && !anchoredDomainRegexp.test(parts.domain)) {
      throw invalidReference('invalid reference format', display);
    }
    if (!anchoredPathRegexp.test(parts.path)) throw invalidReference('invalid reference format', display);
    if (parts.path.length > REPOSITORY_NAME_MAX_LENGTH) {
      throw invalidReference(`repository name must not be more than ${REPOSITORY_NAME_MAX_LENGTH} characters`, display);
    }
    if (parts.tag !== undefined && !anchoredTagRegexp.test(parts.tag)) {
      throw invalidReference('invalid tag format', display);
    }
    if (parts.digest !== undefined) checkedDigest(parts.digest, display);
    return new ImageReference(parts);
  }

  /** The full repository name, `domain/path` (`docker.io/library/busybox`). */
  get name(): string {
    return this.domain === '' ? this.path : `${this.domain}/${this.path}`;
  }

  /**
   * The repository name as Docker shows it: without `docker.io/`, and without
   * `library/` for official images (`busybox`, `user/app`, `localhost:5000/a/b`).
   */
  get familiarName(): string {
    if (this.domain !== DEFAULT_DOMAIN) return this.name;
    if (this.path.startsWith(OFFICIAL_REPOSITORY_PREFIX)) {
      const remainder = this.path.slice(OFFICIAL_REPOSITORY_PREFIX.length);
      if (!remainder.includes('/')) return remainder;
    }
    return this.path;
  }

  /** The whole reference as Docker shows it (`busybox:latest`, `user/app@sha256:…`). */
  get familiar(): string {
    return formatReference({ domain: '', path: this.familiarName, tag: this.tag, digest: this.digest });
  }

  /** Whether the reference names only a repository (no tag, no digest). */
  get isNameOnly(): boolean {
    return this.tag === undefined && this.digest === undefined;
  }

  /** The canonical form: `docker.io/library/busybox:latest`; tag and digest both kept. */
  toString(): string {
    return formatReference(this);
  }

  /** The canonical string, so references serialise as Docker serialises them. */
  toJSON(): string {
    return this.toString();
  }

  /** This reference with `latest` added when it has neither tag nor digest (Docker's `TagNameOnly`). */
  withDefaultTag(): ImageReference {
    return this.isNameOnly ? new ImageReference({ ...this.parts(), tag: DEFAULT_TAG }) : this;
  }

  /** This reference with `tag` (a digest, if any, is kept). Throws `InvalidArgument` on a malformed tag. */
  withTag(tag: string): ImageReference {
    if (!anchoredTagRegexp.test(tag)) throw invalidReference('invalid tag format', `${this.name}:${tag}`);
    return new ImageReference({ ...this.parts(), tag });
  }

  /** This reference pinned to `digest` (a tag, if any, is kept). Throws `InvalidArgument` on a malformed digest. */
  withDigest(digest: string): ImageReference {
    const display = `${this.name}@${digest}`;
    if (!anchoredDigestRegexp.test(digest)) throw invalidReference('invalid digest format', display);
    return new ImageReference({ ...this.parts(), digest: checkedDigest(digest, display) });
  }

  /** The repository alone, without tag or digest (Docker's `TrimNamed`). */
  withoutTagOrDigest(): ImageReference {
    return this.isNameOnly ? this : new ImageReference({ domain: this.domain, path: this.path });
  }

  /**
   * The form containerd and Docker's image store key images by (Docker's
   * `ParseDockerRef`): a reference with both tag and digest keeps only the digest;
   * one with neither gets `latest`.
   */
  toDockerRef(): ImageReference {
    if (this.tag !== undefined && this.digest !== undefined) {
      return new ImageReference({ domain: this.domain, path: this.path, digest: this.digest });
    }
    return this.withDefaultTag();
  }

  /** Whether `other` is the same reference (same canonical string). */
  equals(other: ImageReferenceParts): boolean {
    return (
      this.domain === other.domain && this.path === other.path && this.tag === other.tag && this.digest === other.digest
    );
  }

  private parts(): ImageReferenceParts {
    return { domain: this.domain, path: this.path, tag: this.tag, digest: this.digest };
  }
}

function formatReference(parts: ImageReferenceParts): string {
  let text = parts.domain === '' ? parts.path : `${parts.domain}/${parts.path}`;
  if (parts.tag !== undefined) text += `:${parts.tag}`;
  if (parts.digest !== undefined) text += `@${parts.digest}`;
  return text;
}

function checkedDigest(value: string, reference: string): Digest {
  const checked = checkReferenceDigest(value);
  if ('problem' in checked) throw invalidReference(checked.problem, reference);
  return checked.digest;
}

/**
 * Splits a familiar name into registry domain and remainder (Docker's
 * `splitDockerDomain`). The first path component is a domain when it is `localhost`,
 * contains `.` or `:`, or has uppercase letters (repository paths never do);
 * otherwise the reference is on Docker Hub, where one-component names get `library/`.
 */
function splitDockerDomain(name: string): [domain: string, remainder: string] {
  const slash = name.indexOf('/');
  if (slash === -1) return [DEFAULT_DOMAIN, OFFICIAL_REPOSITORY_PREFIX + name];
  const first = name.slice(0, slash);
  const rest = name.slice(slash + 1);
  let domain: string;
  let remainder: string;
  if (first === LOCALHOST) {
    [domain, remainder] = [first, rest];
  } else if (first === LEGACY_DEFAULT_DOMAIN) {
    [domain, remainder] = [DEFAULT_DOMAIN, rest];
  } else if (first.includes('.') || first.includes(':') || first.toLowerCase() !== first) {
    [domain, remainder] = [first, rest];
  } else {
    [domain, remainder] = [DEFAULT_DOMAIN, name];
  }
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_REPOSITORY_PREFIX + remainder;
  return [domain, remainder];
}

/** Parses an already-normalised reference string (Docker's `reference.Parse`). */
function parseNormalized(text: string, input: string): ImageReference {
  if (text === '') throw invalidReference('repository name must have at least one component', input);
  const match = referenceRegexp.exec(text);
  if (!match) {
    const lower = text.toLowerCase();
    if (lower !== text && referenceRegexp.test(lower)) {
      throw invalidReference('repository name must be lowercase', input);
    }
    throw invalidReference('invalid reference format', input);
  }
  const nameMatch = anchoredNameRegexp.exec(match[1]!)!;
  const domain = nameMatch[1] ?? '';
  const path = nameMatch[2]!;
  if (path.length > REPOSITORY_NAME_MAX_LENGTH) {
    throw invalidReference(`repository name must not be more than ${REPOSITORY_NAME_MAX_LENGTH} characters`, input);
  }
  const digest = match[3] === undefined ? undefined : checkedDigest(match[3], input);
  // fromParts re-checks what the grammar just matched; cheap, and keeps the constructor private.
  return ImageReference.fromParts({ domain, path, tag: match[2], digest });
}

/**
 * Parses an image reference as Docker does (`ParseNormalizedNamed` of
 * `distribution/reference`): familiar names are expanded (`busybox` →
 * `docker.io/library/busybox`, `user/app` → `docker.io/user/app`,
 * `index.docker.io/x` → `docker.io/library/x`), a tag and a digest may both be
 * present, and no default tag is added (use {@link ImageReference.withDefaultTag}).
 *
 * Throws `InvalidArgument` carrying Docker's exact message, e.g.
 * `invalid reference format`, `invalid reference format: repository name (library/Busybox)
 * must be lowercase`, `invalid repository name (…), cannot specify 64-byte hexadecimal
 * strings`, `repository name must not be more than 255 characters`,
 * `invalid checksum digest length`. The input is in `details.reference`.
 */
export function parseReference(input: string): ImageReference {
  if (anchoredIdentifierRegexp.test(input)) {
    throw invalidReference(`invalid repository name (${input}), cannot specify 64-byte hexadecimal strings`, input);
  }
  const [domain, remainder] = splitDockerDomain(input);
  const tagSeparator = remainder.indexOf(':');
  const remote = tagSeparator === -1 ? remainder : remainder.slice(0, tagSeparator);
  if (remote.toLowerCase() !== remote) {
    throw invalidReference(`invalid reference format: repository name (${remote}) must be lowercase`, input);
  }
  return parseNormalized(`${domain}/${remainder}`, input);
}

/**
 * Parses a reference and reduces it to the form image stores key by (Docker's
 * `ParseDockerRef`): tag and digest together keep only the digest; a bare name gets
 * `latest`. `busybox:1@sha256:…` → `docker.io/library/busybox@sha256:…`.
 */
export function parseDockerRef(input: string): ImageReference {
  return parseReference(input).toDockerRef();
}

/** What {@link parseAnyReference} found: a content digest (an image ID) or a named reference. */
export type AnyReference =
  | { readonly kind: 'digest'; readonly digest: Digest }
  | { readonly kind: 'named'; readonly reference: ImageReference };

/**
 * Parses user input that may be an image ID or a name (Docker's `ParseAnyReference`):
 * 64 hex characters are a `sha256` ID, `sha256:<hex>` a digest, anything else a
 * reference parsed by {@link parseReference}. Short ID prefixes are names here; the
 * image store resolves those.
 */
export function parseAnyReference(input: string): AnyReference {
  if (anchoredIdentifierRegexp.test(input)) return { kind: 'digest', digest: `sha256:${input}` };
  const asDigest = checkReferenceDigest(input);
  if ('digest' in asDigest) return { kind: 'digest', digest: asDigest.digest };
  return { kind: 'named', reference: parseReference(input) };
}

/**
 * zod schema of an image reference string; parses into an {@link ImageReference}
 * with {@link parseReference} and reports Docker's message as the issue.
 */
export const imageReferenceSchema = z.string().transform((value, context): ImageReference => {
  try {
    return parseReference(value);
  } catch (error) {
    context.issues.push({ code: 'custom', message: (error as Error).message, input: value });
    return z.NEVER;
  }
});
