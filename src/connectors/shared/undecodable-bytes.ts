/**
 * Where decoding went wrong, for a reject message: `the bytes 0xC3A9 at offset 1 are`. `text` is
 * what a replacing decoder made of `bytes`, `encode` that encoding's encoder; the first character
 * whose own bytes are not the next bytes of the input marks the offset.
 */
export function undecodableBytes(bytes: Buffer, text: string, encode: (char: string) => Buffer): string {
  let offset = 0;
  for (const char of text) {
    const own = encode(char);
    if (!own.equals(bytes.subarray(offset, offset + own.length))) break;
    offset += own.length;
  }
  // At most the next 4 bytes: the longest character of the encodings concerned.
  const bad = bytes.subarray(offset, Math.min(bytes.length, offset + 4));
  const more = offset + bad.length < bytes.length ? '…' : '';
  return `the bytes 0x${bad.toString('hex').toUpperCase()}${more} at offset ${offset} are`;
}
