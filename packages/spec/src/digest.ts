import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '@berth/errdefs';
import { z } from 'zod';

/** The digest algorithms Berth verifies. */
export type DigestAlgorithm = 'sha256' | 'sha512';

/** A content digest, `algorithm:hex` — e.g. `sha256:e3b0c442…`. */
export type Digest = `${DigestAlgorithm}:${string}`;

const hexLength: Record<DigestAlgorithm, number> = { sha256: 64, sha512: 128 };
const digestPattern = /^(sha256|sha512):([a-f0-9]+)$/;

/** Why `value` is not a valid digest, or `undefined` when it is one. */
function digestProblem(value: string): string | undefined {
  const match = digestPattern.exec(value);
  if (!match) return 'expected "sha256:<64 hex>" or "sha512:<128 hex>" (lowercase)';
  const algorithm = match[1] as DigestAlgorithm;
  if (match[2]!.length !== hexLength[algorithm]) {
    return `${algorithm} digests have ${hexLength[algorithm]} hex characters, got ${match[2]!.length}`;
  }
  return undefined;
}

/** Whether `value` is a well-formed digest of a supported algorithm. */
export function isDigest(value: unknown): value is Digest {
  return typeof value === 'string' && digestProblem(value) === undefined;
}

/** Validates `value` as a digest; throws `InvalidArgument` saying what is wrong. */
export function parseDigest(value: string): Digest {
  const problem = digestProblem(value);
  if (problem) throw new InvalidArgumentError(`invalid digest "${value}": ${problem}`);
  return value as Digest;
}

/** zod schema of a {@link Digest}. */
export const digestSchema = z.string().refine(isDigest, {
  error: (issue) => `invalid digest: ${digestProblem(String(issue.input)) ?? 'malformed'}`,
}) as unknown as z.ZodType<Digest>;

/** The algorithm of a digest. */
export function digestAlgorithm(digest: Digest): DigestAlgorithm {
  return digest.slice(0, digest.indexOf(':')) as DigestAlgorithm;
}

/** The hex part of a digest (what file names in blob stores use). */
export function digestHex(digest: Digest): string {
  return digest.slice(digest.indexOf(':') + 1);
}

/** The digest of in-memory bytes (documents; stream blobs through a hash instead). */
export function digestOf(bytes: Uint8Array | string, algorithm: DigestAlgorithm = 'sha256'): Digest {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}
