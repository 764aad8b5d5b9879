import { canonicalTexts, toCanonicalText } from '../../core/canonical.js';
import { decodeKey, encodeKey } from '../../core/keys.js';
import type { Row, TableSchema, Value } from '../../core/types.js';
import type { ObjectPlan } from '../../mapping/plan/plan-types.js';
import type { ObjectMapper } from '../../mapping/row-mapper.js';
import type { JournalRecord, LedgerCounts, RejectRecord } from '../../state/state-store.js';
import { type PassContext, recordJson, rowJson } from './object-pass.js';
import type { SourceBatch } from './source-batches.js';
import { writeIsolated } from './write-isolated.js';

export interface DeferredOutcome {
  readonly updated: number;
  /** References that could not be set (their parent is missing or was rejected): left NULL and reported. */
  readonly unresolved: number;
}

/**
 * Pass 2: sets the deferred references (self-references and references that break a cycle)
 * once every object has its rows. Only rows that exist in the target are touched; a reference
 * whose parent is missing or was rejected stays NULL (never an orphan) and is reported in the
 * rejects with reason `missing_parent`/`parent_rejected` and the note that the row itself loaded.
 */
export async function loadDeferredReferences(
  ctx: PassContext,
  object: ObjectPlan,
  /** Compiled for `deferredView(object)`: only the deferred reference fields. */
  mapper: ObjectMapper,
  targetTable: TableSchema,
  start: { ledger: LedgerCounts },
  batches: AsyncIterable<SourceBatch>,
): Promise<DeferredOutcome> {
  let updated = 0;
  let unresolved = 0;
  const fields = object.deferredFields;
  const keyCount = object.target.key.length;
  const fieldIdx = fields.map((c) => mapper.targetColumns.indexOf(c));
  const refs = fields.map((f) => mapper.references.find((r) => r.field.target === f)!);
  // After a first load into an empty table, a deferred column without a default is NULL in
  // every row pass 1 wrote: rows whose references are all NULL are settled already, with no
  // id-map lookup and no read-back (most rows, in a CRM's self-references).
  const nullAfterPass1 =
    ctx.freshObjects.has(object.name) &&
    fields.every((f) => {
      const column = targetTable.columns.find((c) => c.name === f);
      return column !== undefined && column.default === undefined && !column.autoIncrement;
    });
  let bound: ReturnType<ObjectMapper['bind']> | undefined;
  for await (const batch of batches) {
    bound ??= mapper.bind(batch.columns);
    const rejects: RejectRecord[] = [];
    const candidates: { sourceKey: string; record: Row; values: Value[] }[] = [];
    for (let i = 0; i < batch.rows.length; i++) {
      const mapped = bound(batch.rows[i]);
      if (!mapped.values) continue; // rejected in pass 1 already
      if (nullAfterPass1 && fieldIdx.every((j) => mapped.values[j] === null)) continue;
      // Key slots first (filled from the id map below), then the deferred fields.
      candidates.push({
        sourceKey: batch.keys[i],
        record: batch.rows[i],
        values: [...new Array(keyCount).fill(null), ...fieldIdx.map((j) => mapped.values[j])],
      });
    }
    // Rows that pass 1 did not load (rejected) have no id mapping: skip them.
    const loaded = await ctx.ids.lookup(
      object.name,
      candidates.map((c) => c.sourceKey),
    );
    const rows = candidates.filter((c) => loaded.has(c.sourceKey));
    for (const c of rows) {
      const targetKey = decodeKey(loaded.get(c.sourceKey)!);
      for (let k = 0; k < keyCount; k++) c.values[k] = targetKey[k];
    }
    for (let f = 0; f < fields.length; f++) {
      const ref = refs[f].field.ref!;
      const live = rows.filter((r) => r.values[keyCount + f] !== null);
      const keys = live.map((r) => encodeKey([r.values[keyCount + f]]));
      const found = await ctx.ids.lookup(ref.object, keys);
      const rejected = await ctx.state.rejectedKeys(
        ctx.runId,
        ref.object,
        keys.filter((k) => !found.has(k)),
      );
      live.forEach((r, i) => {
        const target = found.get(keys[i]);
        if (target !== undefined) {
          r.values[keyCount + f] = decodeKey(target)[0];
          return;
        }
        r.values[keyCount + f] = null;
        if (ref.onMissing === 'null' && !rejected.has(keys[i])) return;
        unresolved++;
        const parentRejected = rejected.has(keys[i]);
        rejects.push({
          object: object.name,
          sourceKey: r.sourceKey,
          field: fields[f],
          rawValue: keys[i],
          reason: parentRejected ? 'parent_rejected' : 'missing_parent',
          code: parentRejected ? 'CRM_R4012' : 'CRM_R4009',
          message: `reference left empty: the ${ref.object} row ${keys[i]} ${parentRejected ? 'was rejected' : 'does not exist'} (the row itself loaded)`,
          record: recordJson(batch.columns, r.record),
          rowLoaded: true,
        });
      });
    }
    // Only the key and the deferred columns are read back, compared and written (an upsert
    // leaves the row's other columns as they are on every database).
    const columns = [...object.target.key, ...fields];
    const types = columns.map((c) => targetTable.columns.find((t) => t.name === c)!.type);
    const existing = ctx.missingTables.has(object.target.table)
      ? { columns, rows: [] }
      : await ctx.target.readByKeys(
          object.target.table,
          object.target.key,
          rows.map((r) => r.values.slice(0, keyCount)),
          columns,
        );
    const exIdx = columns.map((c) => existing.columns.indexOf(c));
    const current = new Map(
      existing.rows.map((r) => {
        const aligned = exIdx.map((i) => r[i]);
        return [encodeKey(aligned.slice(0, keyCount)), aligned] as const;
      }),
    );
    const changed: { sourceKey: string; record: Row; values: Value[]; before: Value[] }[] = [];
    for (const r of rows) {
      const before = current.get(encodeKey(r.values.slice(0, keyCount)));
      // A row pass 1 loaded but that is gone from the target since: nothing to set.
      if (!before) continue;
      const differs = fields.some((_, f) => {
        const i = keyCount + f;
        return toCanonicalText(before[i], types[i]) !== toCanonicalText(r.values[i], types[i]);
      });
      if (differs) changed.push({ sourceKey: r.sourceKey, record: r.record, values: r.values, before });
    }
    const journal: JournalRecord[] = changed.map((r) => ({
      object: object.name,
      table: object.target.table,
      targetKey: encodeKey(r.values.slice(0, keyCount)),
      action: 'update',
      prior: rowJson(columns, canonicalTexts(r.before, types)),
      after: rowJson(columns, canonicalTexts(r.values, types)),
    }));
    if (ctx.writer && changed.length > 0) {
      const result = await writeIsolated(
        ctx.writer,
        object.target.table,
        columns,
        changed.map((r) => r.values),
        { mode: 'upsert', key: object.target.key },
      );
      updated += result.written.length;
      for (const f of result.failed) {
        rejects.push({
          object: object.name,
          sourceKey: changed[f.index].sourceKey,
          reason: 'target_rejected',
          code: f.error.code,
          message: `reference not set: ${f.error.message}`,
          record: recordJson(batch.columns, changed[f.index].record),
          rowLoaded: true,
        });
      }
    } else {
      updated += changed.length;
    }
    await ctx.state.commitBatch(ctx.runId, {
      object: object.name,
      pass: 2,
      checkpoint: {
        object: object.name,
        pass: 2,
        position: batch.position,
        done: false,
        // The ledger counts source rows, which pass 1 settled; pass 2 carries it unchanged.
        ledger: start.ledger,
      },
      rejects,
      journal,
    });
  }
  return { updated, unresolved };
}

/**
 * The part of an object the second pass needs: its deferred reference fields and the source
 * columns they read — no lookups, no other transforms — so pass 2 costs a fraction of pass 1.
 */
export function deferredView(object: ObjectPlan): ObjectPlan {
  const fields = object.fields.filter((f) => object.deferredFields.includes(f.target));
  // A declared rule for repeated keys (first, merge) decides on all the base columns: pass 2
  // reads them too, so it takes the same row of a key as pass 1 did.
  const columns = new Set(object.source.duplicates ? object.source.columns : object.source.key);
  for (const f of fields) {
    for (const c of f.from) columns.add(c);
    for (const c of Object.keys(f.ref?.when ?? {})) columns.add(c);
  }
  // Side tables are joined only when a deferred field reads one of their (prefixed) columns.
  const joins = object.source.joins.filter((j) => [...columns].some((c) => c.startsWith(j.prefix)));
  for (const j of joins) for (const c of Object.values(j.on)) columns.add(c);
  return {
    ...object,
    source: { ...object.source, columns: [...columns], joins },
    target: { ...object.target, columns: fields.map((f) => f.target) },
    fields,
  };
}
