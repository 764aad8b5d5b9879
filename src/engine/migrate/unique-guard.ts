import type { Connector } from '../../connectors/contract.js';
import { encodeKey } from '../../core/keys.js';
import type { TableSchema, Value } from '../../core/types.js';
import type { ObjectPlan } from '../../mapping/plan/plan-types.js';

/**
 * Checks the target's unique keys (other than the primary key) before writing: a row whose
 * unique value is already held by another target row, or by an earlier row of the same batch,
 * is rejected as duplicate_key. Doing it here (not only when the database refuses the write)
 * makes a dry run predict these rejects too. Where the target is not probed (a dry run of a
 * table that was empty when the load began, or of a table that does not exist yet), the values
 * the run would have written are remembered, in memory; a real run always probes the target.
 */
export class UniqueGuard {
  readonly #tables: ReadonlyMap<string, TableSchema>;
  /** Tables not probed: table → unique key columns → value key → target key, as written by this run. */
  readonly #seen = new Map<string, Map<string, string>>();

  constructor(tables: ReadonlyMap<string, TableSchema>) {
    this.#tables = tables;
  }

  /** Row index → message, for rows that would violate a unique key. */
  async conflicts(
    target: Connector | undefined,
    object: ObjectPlan,
    columns: readonly string[],
    rows: readonly Value[][],
    targetKeyOf: (values: readonly Value[]) => string,
  ): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    for (const unique of this.#uniqueKeys(object, columns)) {
      const idx = unique.map((c) => columns.indexOf(c));
      const valueKeys = rows.map((r) => (idx.some((i) => r[i] === null) ? undefined : encodeKey(idx.map((i) => r[i]))));
      const holders = new Map<string, string>();
      const probe = rows.filter((_, i) => valueKeys[i] !== undefined).map((r) => idx.map((i) => r[i]));
      if (target && probe.length > 0) {
        const keyCols = object.target.key;
        const existing = await target.readByKeys(object.target.table, unique, probe, [...unique, ...keyCols]);
        const uIdx = unique.map((c) => existing.columns.indexOf(c));
        const kIdx = keyCols.map((c) => existing.columns.indexOf(c));
        for (const r of existing.rows) holders.set(encodeKey(uIdx.map((i) => r[i])), encodeKey(kIdx.map((i) => r[i])));
      }
      const seen = this.#seenFor(object.target.table, unique);
      rows.forEach((r, i) => {
        const vk = valueKeys[i];
        if (vk === undefined || out.has(i)) return;
        const own = targetKeyOf(r);
        const holder = holders.get(vk) ?? seen?.get(vk);
        if (holder !== undefined && holder !== own) {
          out.set(i, `${unique.join(', ')} ${vk} is already used by target row ${holder}`);
          return;
        }
        holders.set(vk, own);
      });
    }
    return out;
  }

  /** Remembers what a dry run would have written. */
  record(
    object: ObjectPlan,
    columns: readonly string[],
    rows: readonly Value[][],
    targetKeyOf: (values: readonly Value[]) => string,
    remember: boolean,
  ): void {
    if (!remember) return;
    for (const unique of this.#uniqueKeys(object, columns)) {
      const idx = unique.map((c) => columns.indexOf(c));
      let seen = this.#seenFor(object.target.table, unique);
      if (!seen) {
        seen = new Map();
        this.#seen.set(`${object.target.table}\u0000${unique.join('\u0000')}`, seen);
      }
      for (const r of rows) if (!idx.some((i) => r[i] === null)) seen.set(encodeKey(idx.map((i) => r[i])), targetKeyOf(r));
    }
  }

  #seenFor(table: string, unique: readonly string[]): Map<string, string> | undefined {
    return this.#seen.get(`${table}\u0000${unique.join('\u0000')}`);
  }

  #uniqueKeys(object: ObjectPlan, columns: readonly string[]): (readonly string[])[] {
    const table = this.#tables.get(object.target.table);
    if (!table) return [];
    return table.uniqueKeys.filter((u) => u.every((c) => columns.includes(c)) && u.join() !== table.primaryKey.join());
  }
}
