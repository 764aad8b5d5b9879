/**
 * The hand-over between a push source (a replication socket, a binlog stream) and a pulling
 * consumer: items come out in the order they went in; a failure is delivered after the items
 * queued before it. `isFull` tells the producer to pause its socket (backpressure); the
 * `onDrain` callback resumes it once the consumer has taken the queue below half.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  readonly #items: T[] = [];
  #failure: { error: unknown } | undefined;
  #ended = false;
  #wake: (() => void) | undefined;

  constructor(
    private readonly capacity: number,
    private readonly onDrain: () => void = () => {},
  ) {}

  push(item: T): void {
    if (this.#ended || this.#failure) return;
    this.#items.push(item);
    this.#notify();
  }

  get isFull(): boolean {
    return this.#items.length >= this.capacity;
  }

  /** No more items: the consumer ends after the ones queued. */
  end(): void {
    this.#ended = true;
    this.#notify();
  }

  /** The consumer throws `error` after the items queued before it. The first failure wins. */
  fail(error: unknown): void {
    this.#failure ??= { error };
    this.#notify();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const item = this.#items.shift();
      if (item !== undefined) {
        if (this.#items.length === Math.floor(this.capacity / 2)) this.onDrain();
        yield item;
        continue;
      }
      if (this.#failure) throw this.#failure.error;
      if (this.#ended) return;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
