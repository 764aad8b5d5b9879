import type { Writer } from '../../connectors/contract.js';
import { canonicalTexts, toCanonicalText } from '../../core/canonical.js';
import { decodeKey, encodeKey } from '../../core/keys.js';
import type { CanonicalType, Row, TableSchema, Value } from '../../core/types.js';
import type { SyncContext } from './sync-context.js';
import { typedKey } from './target-rows.js';
import type { ReverseField, ReverseMapping } from './two-way-mapping.js';

/** The source side of a reverse apply: its table as it exists and a writer to it. */
export interface SourceSide {
  readonly table: TableSchema;
  readonly writer: Writer;
}

/** A source row as it is (`texts`, canonical) and as the target's row maps back to it (`want`; undefined keeps the source's value). */
export interface ReverseRow {
  readonly sourceKey: string;
  readonly current: Row;
  readonly texts: readonly (string | null)[];
  readonly want: readonly (string | null | undefined)[];
}

/** The source rows behind target keys, read for a reverse apply: source key columns, then one column per reverse field. */
export interface ReverseRead {
  readonly columns: readonly string[];
  readonly types: readonly CanonicalType[];
  readonly rows: readonly ReverseRow[];
}

/**
 * Reads the source rows behind these target keys of one object, with the values the target's
 * CURRENT rows map back to through the reverse mapping. Each key is found back through the id
 * map: a target row crmbridge never mapped has no source row and is left out.
 */
export async function readReverse(
  ctx: SyncContext,
  reverse: ReverseMapping,
  side: SourceSide,
  targetKeys: readonly string[],
): Promise<ReverseRead> {
  const { object, fields } = reverse;
  const table = ctx.tables.get(object.name)!;
  const sKey = object.source.key;
  const columns = [...sKey, ...fields.map((f) => f.source)];
  const types = columns.map((c) => typeOf(side.table, c));
  const sourceKeys = await ctx.state.lookupSourceKeys(object.name, targetKeys);
  if (sourceKeys.size === 0 || fields.length === 0) return { columns, types, rows: [] };
  const tKey = object.target.key;
  const read = await ctx.target.readByKeys(
    table.name,
    tKey,
    [...sourceKeys.keys()].map((k) => typedKey(table, tKey, k)),
    [...tKey, ...fields.map((f) => f.target)],
  );
  const mapped = await mapBack(ctx, fields, table, read.rows, tKey.length);
  // Desired source rows by source key text, as canonical texts of the source columns; undefined
  // keeps the source's value (a reference to a target row that has no source row).
  const desired = new Map<string, (string | null | undefined)[]>();
  read.rows.forEach((row, r) => {
    const sourceKey = sourceKeys.get(encodeKey(row.slice(0, tKey.length)));
    if (sourceKey !== undefined) desired.set(sourceKey, [...decodeKey(sourceKey), ...mapped[r]]);
  });
  const current = await ctx.source.readByKeys(
    side.table.name,
    sKey,
    [...desired.keys()].map((k) => typedKey(side.table, sKey, k)),
    columns,
  );
  const rows: ReverseRow[] = [];
  for (const row of current.rows) {
    const sourceKey = encodeKey(row.slice(0, sKey.length));
    const want = desired.get(sourceKey);
    if (want) rows.push({ sourceKey, current: row, texts: canonicalTexts(row, types), want });
  }
  return { columns, types, rows };
}

/** Indexes of the reverse fields whose source value differs from what the target's maps back to. */
export function differingFields(reverse: ReverseMapping, row: ReverseRow): number[] {
  const offset = reverse.object.source.key.length;
  return reverse.fields.flatMap((_, i) => {
    const want = row.want[offset + i];
    return want !== undefined && want !== row.texts[offset + i] ? [i] : [];
  });
}

/**
 * Target rows mapped back through `fields` (their target columns from `offset` on in each row):
 * per row, one canonical text in source terms per field — undefined for a reference to a target
 * row that has no source row (yet).
 */
export async function mapBack(
  ctx: SyncContext,
  fields: readonly ReverseField[],
  table: TableSchema,
  rows: readonly Row[],
  offset: number,
): Promise<(string | null | undefined)[][]> {
  const parents = await parentSourceKeys(ctx, fields, rows, offset);
  return rows.map((row) =>
    fields.map((f, i) => {
      const value = row[offset + i];
      if (f.kind !== 'ref') return toCanonicalText(f.convert ? f.convert(value) : value, typeOf(table, f.target));
      if (value === null) return null;
      const parent = parents.get(f.object)?.get(encodeKey([value]));
      return parent === undefined ? undefined : decodeKey(parent)[0];
    }),
  );
}

/** For each referenced object: parent target key text → parent source key text, for the references in these rows. */
async function parentSourceKeys(
  ctx: SyncContext,
  fields: readonly ReverseField[],
  rows: readonly Row[],
  offset: number,
): Promise<Map<string, Map<string, string>>> {
  const out = new Map<string, Map<string, string>>();
  for (const [i, f] of fields.entries()) {
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

export function typeOf(table: TableSchema, column: string): CanonicalType {
  return table.columns.find((c) => c.name === column)?.type ?? { kind: 'text' };
}
