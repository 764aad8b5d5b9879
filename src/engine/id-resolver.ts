import type { StateStore } from '../state/state-store.js';

/**
 * Source key → target key lookups for reference remapping. A real run reads the durable id map
 * of the state store; a dry run also sees the mappings it would have made (kept in memory, never
 * stored, because the target does not hold those rows).
 */
export class IdResolver {
  readonly #state: StateStore;
  readonly #overlay = new Map<string, Map<string, string>>();
  readonly #dryRun: boolean;

  constructor(state: StateStore, dryRun: boolean) {
    this.#state = state;
    this.#dryRun = dryRun;
  }

  /** Remembers mappings a dry run would have stored. */
  remember(object: string, mappings: readonly { sourceKey: string; targetKey: string }[]): void {
    if (!this.#dryRun) return;
    let map = this.#overlay.get(object);
    if (!map) {
      map = new Map();
      this.#overlay.set(object, map);
    }
    for (const m of mappings) map.set(m.sourceKey, m.targetKey);
  }

  async lookup(object: string, sourceKeys: readonly string[]): Promise<Map<string, string>> {
    const unique = [...new Set(sourceKeys)];
    const found = await this.#state.lookupIds(object, unique);
    const overlay = this.#overlay.get(object);
    if (overlay) for (const k of unique) if (!found.has(k) && overlay.has(k)) found.set(k, overlay.get(k)!);
    return found;
  }
}
