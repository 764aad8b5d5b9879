import { createHash } from 'node:crypto';

// A fixed namespace for crmbridge-generated target keys (a random v4 chosen once).
const NAMESPACE = Buffer.from('6f1c2a4e8b9d4c3fa1e27d5b0c9e8f31', 'hex');

/**
 * RFC 4122 version-5 UUID of (object, source key): the same source row always gets the same
 * target key, so a replayed batch after a crash upserts the same rows instead of duplicating them.
 */
export function deterministicUuid(object: string, sourceKey: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(`${object}\u0000${sourceKey}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const h = hash.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
