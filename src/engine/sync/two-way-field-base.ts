import { hash } from 'node:crypto';
import type { StateStore } from '../../state/state-store.js';

/** Scope of `sync_rows` holding, per source key, each synced field's value as both sides last agreed on it. */
export const FIELD_SCOPE = 'two-way:fields';

/**
 * The base of a three-way merge: per field that syncs back (by its source column), a digest of
 * its canonical text in source terms — the source's value, and the target's mapped back — as
 * last synced. A side changed a field since when its value's digest differs from the base's.
 * Row hashes (`two-way:source`, `two-way:target`) tell THAT a row changed; this tells WHICH of
 * its fields did, on each side, so edits of different fields merge and only edits of the same
 * field collide.
 */
export type FieldBase = Readonly<Record<string, string>>;

/** The digest of one field's canonical text (null is distinct from every text, '' included). */
export function fieldDigest(text: string | null): string {
  return hash('md5', JSON.stringify(text), 'base64').slice(0, 12);
}

/** Stored bases of these source keys (a key without one, or with a base of an older format, is absent). */
export async function fieldBases(state: StateStore, object: string, sourceKeys: readonly string[]): Promise<Map<string, FieldBase>> {
  const out = new Map<string, FieldBase>();
  for (const [key, text] of await state.syncRowHashes(FIELD_SCOPE, object, sourceKeys)) {
    try {
      const base: unknown = JSON.parse(text);
      if (base && typeof base === 'object' && !Array.isArray(base)) out.set(key, base as FieldBase);
    } catch {
      // Not a base (stored by another version): the key has none.
    }
  }
  return out;
}

/** Stores bases by source key; null forgets the key (its row is gone). */
export async function putFieldBases(
  state: StateStore,
  object: string,
  bases: readonly { readonly key: string; readonly base: FieldBase | null }[],
): Promise<void> {
  await state.putSyncRowHashes(
    FIELD_SCOPE,
    object,
    bases.map(({ key, base }) => ({ key, hash: base ? JSON.stringify(base) : null })),
  );
}
