import type { Writer } from '../../connectors/contract.js';
import { parseCanonicalText, toCanonicalText } from '../../core/canonical.js';
import { decodeKey, encodeKey } from '../../core/keys.js';
import type { CanonicalType, Row, TableSchema, Value } from '../../core/types.js';
import type { SyncContext } from './sync-context.js';
import { typedKey } from './target-rows.js';
import type { ReverseMapping } from './two-way-mapping.js';

/** The source side of a reverse apply: its table as it exists and a writer to it. */
export interface SourceSide {
  readonly table: TableSchema;
  readonly writer: Writer;
}

/**
 * Brings the source rows behind these target keys of one object up to date with the target's
 * CURRENT rows, through the reverse mapping: each key is found back through the id map (a
 * target row crmbridge never mapped has no source row to update and is left alone), re-read
 * from the target, mapped back, compared with the source row in canonical text, and only the
 * rows that differ are written (by source key). Idempotent like the forward apply: applying a
 * key again finds the source unchanged. Returns the number of source rows written.
 */
export async function applyTargetKeys(
  ctx: SyncContext,
  reverse: ReverseMapping,
  side: SourceSide,
  targetKeys: readonly string[],
): Promise<number> {
  const { object, fields } = reverse;
  const table = ctx.tables.get(object.name)!;
  const sourceKeys = await ctx.state.lookupSourceKeys(object.name, targetKeys);
  if (sourceKeys.size === 0 || fields.length === 0) return 0;
  const tKey = object.target.key;
  const read = await ctx.target.readByKeys(
    table.name,
    tKey,
    [...sourceKeys.keys()].map((k) => typedKey(table, tKey, k)),
    [...tKey, ...fields.map((f) => f.target)],
  );
  const parents = await parentSourceKeys(ctx, reverse, read.rows, tKey.length);
  const sKey = object.source.key;
  const columns = [...sKey, ...fields.map((f) => f.source)];
  const types = columns.map((c) => typeOf(side.table, c));
  // Desired source rows by source key text, as canonical texts of the source columns; undefined
  // keeps the source's value (a reference to a target row that has no source row).
  const desired = new Map<string, (string | null | undefined)[]>();
  for (const row of read.rows) {
    const sourceKey = sourceKeys.get(encodeKey(row.slice(0, tKey.length)));
    if (sourceKey === undefined) continue;
    const values = fields.map((f, i) => {
      const value = row[tKey.length + i];
      if (f.kind !== 'ref') return toCanonicalText(f.convert ? f.convert(value) : value, typeOf(table, f.target));
      if (value === null) return null;
      const parent = parents.get(f.object)?.get(encodeKey([value]));
      return parent === undefined ? undefined : decodeKey(parent)[0];
    });
    desired.set(sourceKey, [...decodeKey(sourceKey), ...values]);
  }
  const current = await ctx.source.readByKeys(
    side.table.name,
    sKey,
    [...desired.keys()].map((k) => typedKey(side.table, sKey, k)),
    columns,
  );
  const changed: Row[] = [];
  for (const row of current.rows) {
    const want = desired.get(encodeKey(row.slice(0, sKey.length)));
    if (!want) continue;
    const texts = row.map((v, i) => toCanonicalText(v, types[i]));
    if (texts.every((t, i) => want[i] === undefined || t === want[i])) continue;
    changed.push(want.map((t, i) => (t === undefined ? row[i] : t === null ? null : parseCanonicalText(t, types[i]))));
  }
  if (changed.length === 0) return 0;
  return side.writer.write(side.table.name, { columns, rows: changed }, { mode: 'upsert', key: sKey });
}

/** For each referenced object: parent target key text → parent source key text, for the references in these rows. */
async function parentSourceKeys(
  ctx: SyncContext,
  reverse: ReverseMapping,
  rows: readonly Row[],
  offset: number,
): Promise<Map<string, Map<string, string>>> {
  const out = new Map<string, Map<string, string>>();
  for (const [i, f] of reverse.fields.entries()) {
    if (f.kind !== 'ref') continue;
    const keys = rows.map((r) => r[offset + i]).filter((v): v is Exclude<Value, null> => v !== null);
    const found = await ctx.state.lookupSourceKeys(
      f.object,
      keys.map((v) => encodeKey([v])),
    );
    out.set(f.object, new Map([...(out.get(f.object) ?? []), ...found]));
  }
  return out;
}

function typeOf(table: TableSchema, column: string): CanonicalType {
  return table.columns.find((c) => c.name === column)?.type ?? { kind: 'text' };
}
