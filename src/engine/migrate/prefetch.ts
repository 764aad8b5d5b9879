/**
 * Reads one item ahead: while the consumer maps and writes batch n, batch n+1 is already being
 * read (and enriched) from the source, so source reads overlap target writes instead of
 * alternating with them. At most two batches are in memory. An error of the read-ahead surfaces
 * when its item is awaited, never as an unhandled rejection.
 */
export async function* prefetch<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let next = iterator.next();
  next.catch(() => {});
  try {
    for (;;) {
      const current = await next;
      if (current.done) return;
      next = iterator.next();
      next.catch(() => {});
      yield current.value;
    }
  } finally {
    // The consumer stopped early (error, threshold, abort): let the source release its cursor.
    await iterator.return?.();
  }
}
