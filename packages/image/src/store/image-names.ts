import { type Digest, type ImageReference, digestHex, parseReference } from '@berth/spec';

/**
 * Prefix of the record names that keep an image without any name ("dangling", shown as
 * `<none>:<none>`). Normalised references always start with a registry domain, so these
 * names never collide with a real one (Docker's containerd store does the same with
 * `moby-dangling@`).
 */
const danglingPrefix = 'berth-dangling@';

/** The record name that keeps the image whose top document is `target` while it has no name. */
export function danglingName(target: Digest): string {
  return `${danglingPrefix}${target}`;
}

/** Whether a record name is a dangling placeholder rather than a reference. */
export function isDanglingName(name: string): boolean {
  return name.startsWith(danglingPrefix);
}

/** A stored record name as a reference; `undefined` for dangling placeholders and names that do not parse. */
export function storedReference(name: string): ImageReference | undefined {
  if (isDanglingName(name)) return undefined;
  try {
    return parseReference(name);
  } catch {
    return undefined;
  }
}

/** Docker's short form of an ID or digest: the first 12 hex characters. */
export function shortId(id: string): string {
  const hex = id.includes(':') ? digestHex(id as Digest) : id;
  return hex.slice(0, 12);
}
