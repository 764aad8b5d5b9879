/**
 * The parser input from the start of the record in flight onwards, addressed by absolute offset.
 * It lets the reader recover from a malformed record (re-parse from the line after it) and look at
 * the byte after a record; it holds at most one record plus one chunk, so memory stays bounded.
 */
export class ByteWindow {
  private chunks: Buffer[] = [];
  /** Absolute offset of chunks[0][0]. */
  private start = 0;
  private total = 0;

  get end(): number {
    return this.start + this.total;
  }

  append(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.chunks.push(bytes);
    this.total += bytes.length;
  }

  /** Forgets whole chunks that end at or before `offset`. */
  dropBefore(offset: number): void {
    while (this.chunks.length > 0 && this.start + this.chunks[0].length <= offset) {
      const first = this.chunks.shift() as Buffer;
      this.start += first.length;
      this.total -= first.length;
    }
  }

  byteAt(offset: number): number | undefined {
    let base = this.start;
    for (const chunk of this.chunks) {
      if (offset < base + chunk.length) return offset >= base ? chunk[offset - base] : undefined;
      base += chunk.length;
    }
    return undefined;
  }

  slice(from: number, to: number = this.end): Buffer {
    const parts: Buffer[] = [];
    let base = this.start;
    for (const chunk of this.chunks) {
      const lo = Math.max(from - base, 0);
      const hi = Math.min(to - base, chunk.length);
      if (lo < hi) parts.push(chunk.subarray(lo, hi));
      base += chunk.length;
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }

  /** Absolute offset of the first CR or LF at or after `from`, or -1. */
  indexOfLineBreak(from: number): number {
    let base = this.start;
    for (const chunk of this.chunks) {
      if (from < base + chunk.length) {
        const lo = Math.max(from - base, 0);
        const lf = chunk.indexOf(0x0a, lo);
        const cr = chunk.indexOf(0x0d, lo);
        const hit = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr);
        if (hit !== -1) return base + hit;
      }
      base += chunk.length;
    }
    return -1;
  }
}
