/**
 * Splits `repo[:tag]` the way docker's query parameters want it (`repo`, `tag`): the tag is
 * after the last `:` that follows the last `/`, so `localhost:5000/app` has none. A digest
 * reference (`repo@sha256:…`) keeps the digest in `tag`, as the pull endpoint takes it.
 */
export function splitReference(reference: string): { repository: string; tag: string | undefined } {
  const at = reference.indexOf('@');
  if (at >= 0) return { repository: reference.slice(0, at), tag: reference.slice(at + 1) };
  const slash = reference.lastIndexOf('/');
  const colon = reference.lastIndexOf(':');
  if (colon > slash) return { repository: reference.slice(0, colon), tag: reference.slice(colon + 1) };
  return { repository: reference, tag: undefined };
}
