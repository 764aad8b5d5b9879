import { createHash } from 'node:crypto';

/**
 * Shortens an identifier to at most `maxBytes` UTF-8 bytes, deterministically and uniquely:
 * a name that fits is returned unchanged; a longer one keeps a prefix and gets `_` plus 8 hex
 * digits of the SHA-1 of the full name, so two long names that share a prefix stay distinct and
 * the same name always maps to the same identifier (re-runs and introspection agree).
 */
export function shortenIdentifier(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name) <= maxBytes) return name;
  const suffix = `_${createHash('sha1').update(name).digest('hex').slice(0, 8)}`;
  let prefix = '';
  for (const ch of name) {
    if (Buffer.byteLength(prefix + ch) + suffix.length > maxBytes) break;
    prefix += ch;
  }
  return prefix + suffix;
}
