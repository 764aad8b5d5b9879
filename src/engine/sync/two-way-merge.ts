import { parseCanonicalText } from '../../core/canonical.js';
import type { Row, Value } from '../../core/types.js';
import type { ConflictRecord } from '../../state/state-store.js';
import type { SyncContext } from './sync-context.js';
import { syncPolicyOf } from './sync-policy.js';
import { typedKey } from './target-rows.js';
import { readReverse } from './two-way-apply.js';
import type { TwoWayObject } from './two-way-conflicts.js';
import { fieldBases, fieldDigest } from './two-way-field-base.js';
import type { HashedSide } from './two-way-hashes.js';

/** What merging rows did. */
export interface Merged {
  /** Source rows written (target values that won). */
  readonly written: number;
  readonly conflicts: number;
  /** Per source key merged: the value each reverse field ends with on both sides, in source terms (the source's after the merge). */
  readonly texts: Map<string, readonly (string | null)[]>;
}

/**
 * The three-way merge of rows present on both sides (`targetKeys`, id-mapped), field by field
 * against the base (`FieldBase`): of the fields that sync back and whose values differ,
 *   - changed only in the target: the target's value is written to the source;
 *   - changed on both sides: a collision, recorded with both values (in source terms) and
 *     resolved by `sync.conflict` — source_wins; target_wins; newest_wins (the row whose
 *     `updatedAt` is later, a tie to the source); field_owner (fields owned by the target win,
 *     all others the source's);
 *   - otherwise the source's value stands.
 * A row without a base (never synced by two-way) counts as changed on the `reporter` side only.
 * The caller then applies the source keys forward, so the target takes every field the source
 * holds: both sides end equal through the mapping. Idempotent: merging again finds them equal.
 */
export async function mergeRows(
  ctx: SyncContext,
  object: TwoWayObject,
  targetKeys: readonly string[],
  reporter: 'source' | 'target',
): Promise<Merged> {
  const { mapping } = object;
  const { fields } = mapping;
  const policy = syncPolicyOf(mapping.object);
  const read = await readReverse(ctx, mapping, object.sourceSide, targetKeys);
  const bases = await fieldBases(
    ctx.state,
    mapping.object.name,
    read.rows.map((r) => r.sourceKey),
  );
  const offset = mapping.object.source.key.length;
  // Per row read: the differing fields changed only in the target, and those changed on both sides.
  const targetOnly: number[][] = [];
  const collisions: number[][] = [];
  for (const row of read.rows) {
    const base = bases.get(row.sourceKey);
    const changed = (text: string | null, i: number) => (base ? fieldDigest(text) !== base[fields[i].source] : undefined);
    const onlyHere: number[] = [];
    const both: number[] = [];
    fields.forEach((_, i) => {
      const source = row.texts[offset + i];
      const target = row.want[offset + i];
      if (target === undefined || target === source) return;
      const inTarget = changed(target, i) ?? reporter === 'target';
      const inSource = changed(source, i) ?? reporter === 'source';
      if (inTarget && inSource) both.push(i);
      else if (inTarget) onlyHere.push(i);
    });
    targetOnly.push(onlyHere);
    collisions.push(both);
  }
  const colliding = read.rows.filter((_, r) => collisions[r].length > 0).map((row) => row.sourceKey);
  const newer = policy.conflict === 'newest_wins' ? await targetNewer(ctx, object, colliding) : new Set<string>();
  const targetWins = (sourceKey: string, i: number): boolean =>
    policy.conflict === 'target_wins' ||
    (policy.conflict === 'newest_wins' && newer.has(sourceKey)) ||
    (policy.conflict === 'field_owner' && policy.owners[fields[i].target] === 'target');
  const records: ConflictRecord[] = [];
  const texts = new Map<string, (string | null)[]>();
  // Rows written back, grouped by the set of fields written (one statement per set).
  const writes = new Map<string, { fields: number[]; rows: Row[] }>();
  read.rows.forEach((row, r) => {
    const won = [...targetOnly[r]];
    for (const i of collisions[r]) {
      const wins = targetWins(row.sourceKey, i);
      if (wins) won.push(i);
      records.push({
        object: mapping.object.name,
        sourceKey: row.sourceKey,
        field: fields[i].target,
        sourceValue: row.texts[offset + i],
        targetValue: row.want[offset + i] ?? null,
        resolution: wins ? 'target_wins' : 'source_wins',
      });
    }
    won.sort((a, b) => a - b);
    texts.set(
      row.sourceKey,
      fields.map((_, i) => (won.includes(i) ? (row.want[offset + i] as string | null) : row.texts[offset + i])),
    );
    if (won.length === 0) return;
    const group = writes.get(won.join()) ?? { fields: won, rows: [] };
    group.rows.push([
      ...row.current.slice(0, offset),
      ...won.map((i) => {
        const text = row.want[offset + i] as string | null;
        return text === null ? null : parseCanonicalText(text, read.types[offset + i]);
      }),
    ]);
    writes.set(won.join(), group);
  });
  let written = 0;
  const { table, writer } = object.sourceSide;
  const sKey = mapping.object.source.key;
  for (const group of writes.values()) {
    const columns = [...sKey, ...group.fields.map((i) => fields[i].source)];
    written += await writer.write(table.name, { columns, rows: group.rows }, { mode: 'upsert', key: sKey });
  }
  if (records.length > 0) await ctx.state.addConflicts(ctx.pass.runId, records);
  return { written, conflicts: records.length, texts };
}

/** Source keys whose target row's updatedAt is later than the source row's (a key at a time: rows are paired by key). */
async function targetNewer(ctx: SyncContext, object: TwoWayObject, sourceKeys: readonly string[]): Promise<Set<string>> {
  const { updatedAt } = syncPolicyOf(object.mapping.object);
  const ids = await ctx.state.lookupIds(object.mapping.object.name, sourceKeys);
  const stamp = async (side: HashedSide, column: string, key: string) => {
    const read = await side.connector.readByKeys(side.table.name, side.key, [typedKey(side.table, side.key, key)], [column]);
    return instant(read.rows[0]?.[0]);
  };
  const out = new Set<string>();
  for (const key of sourceKeys) {
    const source = await stamp(object.source, updatedAt.source!, key);
    const target = await stamp(object.target, updatedAt.target!, ids.get(key)!);
    if (target !== undefined && (source === undefined || target > source)) out.add(key);
  }
  return out;
}

/** A timestamp value as milliseconds since the epoch (undefined for NULL); a naive timestamp is read as UTC on both sides alike. */
function instant(value: Value | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = String(value);
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}
