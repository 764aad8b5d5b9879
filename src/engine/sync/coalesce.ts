const NOT_READY = Symbol('not ready');

/**
 * Groups items that are already waiting (a backlog of small source transactions) into one batch
 * of at most about `maxSize` (by `sizeOf`), so the target sees few large writes instead of many
 * small ones; an item that has not arrived yet is never waited for once a group has started.
 * Items keep their order, and each group holds whole items (whole transactions). The caller
 * must end the source (abort its signal) when it stops early.
 */
export async function* coalesce<T>(source: AsyncIterable<T>, maxSize: number, sizeOf: (item: T) => number): AsyncGenerator<T[]> {
  const it = source[Symbol.asyncIterator]();
  let next = it.next();
  try {
    for (;;) {
      const first = await next;
      if (first.done) return;
      const group = [first.value];
      let size = sizeOf(first.value);
      next = it.next();
      while (size < maxSize) {
        const ready = await Promise.race([next, new Promise<typeof NOT_READY>((r) => setImmediate(() => r(NOT_READY)))]);
        if (ready === NOT_READY) break;
        if (ready.done) {
          yield group;
          return;
        }
        group.push(ready.value);
        size += sizeOf(ready.value);
        next = it.next();
      }
      yield group;
    }
  } finally {
    // Not awaited: a pull may still be pending on the source, which ends when its signal aborts.
    void it.return?.();
  }
}
