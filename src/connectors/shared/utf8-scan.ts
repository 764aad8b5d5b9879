/**
 * UTF-8 validation with positions. Node's decoder silently turns invalid bytes into U+FFFD; to
 * reject such records with a byte offset (and to keep a genuine U+FFFD in valid text), the bytes
 * are checked before decoding. Callers run `isUtf8` first: this scan is only for chunks that fail it.
 */

/** Bytes needed after a lead byte, and the allowed range of the first continuation byte (RFC 3629). */
function leadInfo(b: number): { need: number; lo: number; hi: number } | undefined {
  if (b >= 0xc2 && b <= 0xdf) return { need: 1, lo: 0x80, hi: 0xbf };
  if (b === 0xe0) return { need: 2, lo: 0xa0, hi: 0xbf };
  if (b === 0xed) return { need: 2, lo: 0x80, hi: 0x9f };
  if (b >= 0xe1 && b <= 0xef) return { need: 2, lo: 0x80, hi: 0xbf };
  if (b === 0xf0) return { need: 3, lo: 0x90, hi: 0xbf };
  if (b === 0xf4) return { need: 3, lo: 0x80, hi: 0x8f };
  if (b >= 0xf1 && b <= 0xf3) return { need: 3, lo: 0x80, hi: 0xbf };
  return undefined;
}

export interface Utf8Scan {
  /** Offsets of the bytes that start an invalid sequence. */
  readonly invalid: number[];
  /** Valid multi-byte sequences seen: evidence that a text is UTF-8 rather than a single-byte code page. */
  readonly multibyte: number;
}

export function scanUtf8(buf: Uint8Array): Utf8Scan {
  const invalid: number[] = [];
  let multibyte = 0;
  let i = 0;
  while (i < buf.length) {
    const b = buf[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    const lead = leadInfo(b);
    if (!lead) {
      invalid.push(i++);
      continue;
    }
    let j = i + 1;
    let ok = true;
    for (let k = 0; k < lead.need; k++, j++) {
      const c = buf[j];
      const lo = k === 0 ? lead.lo : 0x80;
      const hi = k === 0 ? lead.hi : 0xbf;
      if (c === undefined || c < lo || c > hi) {
        ok = false;
        break;
      }
    }
    if (ok) {
      multibyte++;
      i = j;
    } else {
      // Resume at the offending byte, as decoders do (maximal subpart), so one bad byte hides nothing after it.
      invalid.push(i);
      i = j;
    }
  }
  return { invalid, multibyte };
}

/** Length of an incomplete multi-byte sequence at the end of `buf` (0–3), to carry into the next chunk. */
export function incompleteTailLength(buf: Uint8Array): number {
  for (let k = 1; k <= Math.min(3, buf.length); k++) {
    const b = buf[buf.length - k];
    if ((b & 0xc0) === 0x80) continue;
    const lead = leadInfo(b);
    return lead && lead.need >= k ? k : 0;
  }
  return 0;
}
