import type { Connector } from '../../connectors/contract.js';
import { encodeKey } from '../../core/keys.js';
import type { TableSchema, Value } from '../../core/types.js';
import type { ObjectPlan } from '../../mapping/plan/plan-types.js';

/** A unique key, or a partial unique index with the condition that says which rows it binds. */
interface UniqueRule {
  readonly columns: readonly string[];
  readonly predicate?: string;
}

/**
 * Checks the target's unique keys (other than the primary key) before writing: a row whose
 * unique value is already held by another target row, or by an earlier row of the same batch,
 * is rejected as duplicate_key. Doing it here (not only when the database refuses the write)
 * makes a dry run predict these rejects too. Where the target is not probed (a dry run of a
 * table that was empty when the load began, or of a table that does not exist yet), the values
 * the run would have written are remembered, in memory; a real run always probes the target.
 * A partial unique index (`WHERE "deletedAt" IS NULL`) binds only the rows, new and held, for
 * which the target itself evaluates its condition true (`Connector.evaluate`); a target that
 * cannot evaluate leaves partial indexes to the write.
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
    target: Connector,
    /** Whether the target's rows are read for holders (else only this run's remembered values count). */
    probe: boolean,
    object: ObjectPlan,
    columns: readonly string[],
    rows: readonly Value[][],
    targetKeyOf: (values: readonly Value[]) => string,
  ): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    for (const { columns: unique, predicate } of this.#uniqueKeys(object, columns, target)) {
      const idx = unique.map((c) => columns.indexOf(c));
      const bound = await boundRows(target, object.target.table, predicate, columns, rows);
      const valueKeys = rows.map((r, i) => (!bound[i] || idx.some((j) => r[j] === null) ? undefined : encodeKey(idx.map((j) => r[j]))));
      const holders = new Map<string, string>();
      const values = rows.filter((_, i) => valueKeys[i] !== undefined).map((r) => idx.map((i) => r[i]));
      if (probe && values.length > 0) {
        const keyCols = object.target.key;
        // A partial index's holders are read whole: its condition may name any column.
        const existing = await target.readByKeys(object.target.table, unique, values, predicate ? undefined : [...unique, ...keyCols]);
        const held = await boundRows(target, object.target.table, predicate, existing.columns, existing.rows);
        const uIdx = unique.map((c) => existing.columns.indexOf(c));
        const kIdx = keyCols.map((c) => existing.columns.indexOf(c));
        existing.rows.forEach((r, i) => {
          if (held[i]) holders.set(encodeKey(uIdx.map((j) => r[j])), encodeKey(kIdx.map((j) => r[j])));
        });
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
  async record(
    target: Connector,
    object: ObjectPlan,
    columns: readonly string[],
    rows: readonly Value[][],
    targetKeyOf: (values: readonly Value[]) => string,
    remember: boolean,
  ): Promise<void> {
    if (!remember) return;
    for (const { columns: unique, predicate } of this.#uniqueKeys(object, columns, target)) {
      const idx = unique.map((c) => columns.indexOf(c));
      const bound = await boundRows(target, object.target.table, predicate, columns, rows);
      let seen = this.#seenFor(object.target.table, unique);
      if (!seen) {
        seen = new Map();
        this.#seen.set(`${object.target.table}\u0000${unique.join('\u0000')}`, seen);
      }
      rows.forEach((r, i) => {
        if (bound[i] && !idx.some((j) => r[j] === null)) seen!.set(encodeKey(idx.map((j) => r[j])), targetKeyOf(r));
      });
    }
  }

  #seenFor(table: string, unique: readonly string[]): Map<string, string> | undefined {
    return this.#seen.get(`${table}\u0000${unique.join('\u0000')}`);
  }

  #uniqueKeys(object: ObjectPlan, columns: readonly string[], target: Connector): UniqueRule[] {
    const table = this.#tables.get(object.target.table);
    if (!table) return [];
    const keys: UniqueRule[] = table.uniqueKeys.map((u) => ({ columns: u }));
    const partial = target.evaluate ? table.indexes.filter((i) => i.unique && i.predicate !== undefined) : [];
    return [...keys, ...partial].filter((u) => u.columns.every((c) => columns.includes(c)) && u.columns.join() !== table.primaryKey.join());
  }
}

/** Per row, whether a unique rule binds it: always for a key, where the target finds the condition true for a partial index. */
async function boundRows(
  target: Connector,
  table: string,
  predicate: string | undefined,
  columns: readonly string[],
  rows: readonly (readonly Value[])[],
): Promise<boolean[]> {
  if (predicate === undefined || !target.evaluate) return rows.map(() => true);
  return (await target.evaluate(table, [predicate], columns, rows)).map(([holds]) => holds === true);
}
