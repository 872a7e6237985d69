import { InvalidArgumentError } from '@berth/errdefs';
import { z } from 'zod';
import { goInteger } from './go-json-types.js';

/** The header of `HEAD`/`GET /containers/{id}/archive` describing the path: base64 of JSON. */
export const CONTAINER_PATH_STAT_HEADER = 'X-Docker-Container-Path-Stat';

/**
 * docker's `container.PathStat`. `mode` is a Go `os.FileMode` (permission bits plus Go's own
 * type bits: directory `1 << 31`, symlink `1 << 27`…), not a POSIX `st_mode`; `mtime` is
 * RFC 3339 with nanoseconds.
 */
export const ContainerPathStatSchema = z.looseObject({
  name: z.string(),
  size: goInteger(),
  mode: goInteger(),
  mtime: z.string(),
  linkTarget: z.string(),
});
/** A path's metadata inside a container, as {@link ContainerPathStatSchema} parses it. */
export type ContainerPathStat = z.infer<typeof ContainerPathStatSchema>;

/** Go's `os.FileMode` type bits that appear in a {@link ContainerPathStat} `mode`. */
export const GoFileModeBits = {
  directory: 2 ** 31,
  symlink: 2 ** 27,
  namedPipe: 2 ** 25,
  socket: 2 ** 24,
  device: 2 ** 26,
  charDevice: 2 ** 21,
  irregular: 2 ** 19,
} as const;

/** Encodes a path stat for the header: standard base64 of its JSON, as dockerd writes it. */
export function encodeContainerPathStat(stat: ContainerPathStat): string {
  return Buffer.from(JSON.stringify(stat), 'utf8').toString('base64');
}

/**
 * Decodes the header. Both base64 alphabets are accepted. A missing or malformed header throws
 * `InvalidArgumentError` naming the header.
 */
export function decodeContainerPathStat(header: string | null | undefined): ContainerPathStat {
  if (header === null || header === undefined || header.trim() === '') {
    throw new InvalidArgumentError(`missing ${CONTAINER_PATH_STAT_HEADER} header`);
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(header.trim(), 'base64').toString('utf8'));
  } catch (cause) {
    throw new InvalidArgumentError(`invalid ${CONTAINER_PATH_STAT_HEADER} header: not base64 JSON`, { cause });
  }
  const result = ContainerPathStatSchema.safeParse(decoded);
  if (!result.success) {
    throw new InvalidArgumentError(`invalid ${CONTAINER_PATH_STAT_HEADER} header: ${z.prettifyError(result.error)}`, {
      cause: result.error,
    });
  }
  return result.data;
}
