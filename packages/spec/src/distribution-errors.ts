import { z } from 'zod';

/**
 * What the registry API says about each error code: its HTTP status, its standard
 * message, and whether the OCI distribution spec defines it (the others come from
 * CNCF distribution, the `docker-registry` implementation).
 */
export interface DistributionErrorCodeInfo {
  /** The HTTP status registries answer with this code. */
  readonly status: number;
  /** The standard human-readable message of the code. */
  readonly message: string;
  /** Whether the OCI distribution spec defines the code (else it is a CNCF distribution extension). */
  readonly oci: boolean;
}

/**
 * The error codes of the registry API, with status and message. The first fourteen
 * are the OCI distribution spec's list; the rest are CNCF distribution extensions
 * registries also send.
 */
export const DistributionErrorCodes = {
  BLOB_UNKNOWN: { status: 404, message: 'blob unknown to registry', oci: true },
  BLOB_UPLOAD_INVALID: { status: 400, message: 'blob upload invalid', oci: true },
  BLOB_UPLOAD_UNKNOWN: { status: 404, message: 'blob upload unknown to registry', oci: true },
  DIGEST_INVALID: { status: 400, message: 'provided digest did not match uploaded content', oci: true },
  MANIFEST_BLOB_UNKNOWN: {
    status: 404,
    message: 'manifest references a manifest or blob unknown to registry',
    oci: true,
  },
  MANIFEST_INVALID: { status: 400, message: 'manifest invalid', oci: true },
  MANIFEST_UNKNOWN: { status: 404, message: 'manifest unknown', oci: true },
  NAME_INVALID: { status: 400, message: 'invalid repository name', oci: true },
  NAME_UNKNOWN: { status: 404, message: 'repository name not known to registry', oci: true },
  SIZE_INVALID: { status: 400, message: 'provided length did not match content length', oci: true },
  UNAUTHORIZED: { status: 401, message: 'authentication required', oci: true },
  DENIED: { status: 403, message: 'requested access to the resource is denied', oci: true },
  UNSUPPORTED: { status: 405, message: 'the operation is unsupported', oci: true },
  TOOMANYREQUESTS: { status: 429, message: 'too many requests', oci: true },
  MANIFEST_UNVERIFIED: { status: 400, message: 'manifest failed signature verification', oci: false },
  TAG_INVALID: { status: 400, message: 'manifest tag did not match URI', oci: false },
  PAGINATION_NUMBER_INVALID: { status: 400, message: 'invalid number of results requested', oci: false },
  RANGE_INVALID: { status: 416, message: 'invalid content range', oci: false },
  UNKNOWN: { status: 500, message: 'unknown error', oci: false },
  UNAVAILABLE: { status: 503, message: 'service unavailable', oci: false },
} as const satisfies Record<string, DistributionErrorCodeInfo>;

/** A registry API error code known to this package. */
export type DistributionErrorCode = keyof typeof DistributionErrorCodes;

/** Every known registry API error code, OCI ones first. */
export const DISTRIBUTION_ERROR_CODES = Object.keys(DistributionErrorCodes) as DistributionErrorCode[];

/** Whether `code` is a registry API error code this package knows. */
export function isDistributionErrorCode(code: unknown): code is DistributionErrorCode {
  return typeof code === 'string' && Object.hasOwn(DistributionErrorCodes, code);
}

/**
 * zod schema of one error in a registry error body. `code` stays a string (registries
 * send codes outside the known list); `detail` is free-form JSON.
 */
export const distributionErrorSchema = z.looseObject({
  code: z.string(),
  message: z.string().optional(),
  detail: z.unknown().optional(),
});

/** One error of a registry error body. */
export type DistributionError = z.infer<typeof distributionErrorSchema>;

/** zod schema of a registry error body: `{"errors":[{"code":…,"message":…,"detail":…}]}`. */
export const distributionErrorsBodySchema = z.looseObject({
  errors: z.array(distributionErrorSchema),
});

/** A registry error body. */
export type DistributionErrorsBody = z.infer<typeof distributionErrorsBodySchema>;
