/**
 * Caches the promise of a lazy computation; a rejected attempt is forgotten so the next
 * call retries (a transient read error must not poison an image for good).
 */
export function memo<T>(compute: () => Promise<T>): () => Promise<T> {
  let cached: Promise<T> | undefined;
  return () => {
    cached ??= compute().catch((err: unknown) => {
      cached = undefined;
      throw err;
    });
    return cached;
  };
}
