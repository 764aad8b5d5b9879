import { CrmError } from '../../core/errors/index.js';
import { decodeKey } from '../../core/keys.js';
import type { TableSchema, Value } from '../../core/types.js';
import type { ObjectPlan } from '../../mapping/plan/plan-types.js';
import type { IdMapping, JournalRecord } from '../../state/state-store.js';
import type { SyncContext } from './sync-context.js';
import { syncPolicyOf } from './sync-policy.js';
import { flagValue, isSet, keyTexts, rowTexts, typedKey } from './target-rows.js';

/** What removing source rows did in the target. */
export interface RemovalCounts {
  deleted: number;
  softDeleted: number;
  /** Rows flagged deleted that came back in the source and were unflagged. */
  restored: number;
  /** Rows of other objects deleted because they referenced a deleted row (reference `onMissing: reject`). */
  childrenDeleted: number;
  /** References set to NULL because their row was deleted (reference `onMissing: null`). */
  childrenNulled: number;
}

export const emptyRemoval = (): RemovalCounts => ({ deleted: 0, softDeleted: 0, restored: 0, childrenDeleted: 0, childrenNulled: 0 });

/**
 * Source rows that are gone (deleted, flagged deleted, or no longer passing the object's filter)
 * leave the target per the object's `sync.deletes`: `delete` deletes the target row — after the
 * rows that reference it are dealt with, so no orphan is ever left: a reference mapped with
 * `onMissing: null`, or deferred (a self-reference), is set to NULL as migrate would load it;
 * a referencing row that migrate would reject (missing_parent) is deleted the same way (and its
 * own children in turn); `soft_delete` sets `sync.softDelete.target`; `ignore` keeps the row.
 * Every change is journalled (prior row), so `crmbridge rollback` can undo a sync run too.
 */
export async function removeFromTarget(ctx: SyncContext, object: ObjectPlan, sourceKeys: readonly string[]): Promise<RemovalCounts> {
  const counts = emptyRemoval();
  const policy = syncPolicyOf(object);
  if (policy.deletes === 'ignore' || sourceKeys.length === 0) return counts;
  const mapped = await ctx.state.lookupIds(object.name, sourceKeys);
  const targetKeys = [...new Set(mapped.values())];
  if (targetKeys.length === 0) return counts;
  const journal: JournalRecord[] = [];
  if (policy.deletes === 'soft_delete') {
    counts.softDeleted = await setFlag(ctx, object, targetKeys, true, journal);
  } else {
    counts.deleted = await deleteRows(ctx, object, targetKeys, journal, counts, new Set());
    await ctx.state.forgetIdMappings(object.name, [...mapped.keys()]);
  }
  return counts;
}

/** Live source rows whose target row carries the soft-delete flag (they came back): the flag is cleared. */
export async function restoreSoftDeleted(ctx: SyncContext, object: ObjectPlan, sourceKeys: readonly string[]): Promise<number> {
  const policy = syncPolicyOf(object);
  const flag = policy.softDelete.target;
  // A mapped flag column is written by the load itself.
  if (policy.deletes !== 'soft_delete' || !flag || object.target.columns.includes(flag) || sourceKeys.length === 0) return 0;
  const targetKeys = [...new Set((await ctx.state.lookupIds(object.name, sourceKeys)).values())];
  const journal: JournalRecord[] = [];
  return setFlag(ctx, object, targetKeys, false, journal);
}

async function setFlag(
  ctx: SyncContext,
  object: ObjectPlan,
  targetKeys: readonly string[],
  on: boolean,
  journal: JournalRecord[],
): Promise<number> {
  const flag = syncPolicyOf(object).softDelete.target;
  if (!flag) {
    throw new CrmError('CRM_M5004', `object ${object.name} has sync.deletes: soft_delete but no sync.softDelete.target column to set`, {
      location: { object: object.name },
    });
  }
  const table = ctx.tables.get(object.name)!;
  if (targetKeys.length === 0) return 0;
  const current = await ctx.target.readByKeys(
    table.name,
    table.primaryKey,
    targetKeys.map((k) => typedKey(table, table.primaryKey, k)),
  );
  const flagIdx = current.columns.indexOf(flag);
  const keys = keyTexts(current, table.primaryKey);
  const changed = current.rows.flatMap((row, i) => {
    if (isSet(row[flagIdx]) === on) return [];
    const after = [...row];
    after[flagIdx] = flagValue(table, flag, on);
    journal.push(journalEntry(object.name, table, keys[i], 'update', current.columns, row, after));
    return [after];
  });
  if (changed.length === 0) return 0;
  await journalBefore(ctx, journal);
  return ctx.writer.write(table.name, { columns: current.columns, rows: changed }, { mode: 'upsert', key: table.primaryKey });
}

/** Deletes target rows of `object` after dealing with every row that references them. */
async function deleteRows(
  ctx: SyncContext,
  object: ObjectPlan,
  targetKeys: readonly string[],
  journal: JournalRecord[],
  counts: RemovalCounts,
  visited: Set<string>,
): Promise<number> {
  const table = ctx.tables.get(object.name)!;
  const fresh = targetKeys.filter((k) => !visited.has(`${table.name}\u0000${k}`));
  if (fresh.length === 0) return 0;
  for (const k of fresh) visited.add(`${table.name}\u0000${k}`);
  // Children first: when the parent row goes, nothing may point at it any more.
  for (const child of ctx.plan.objects) {
    for (const field of child.fields) {
      if (field.ref?.object !== object.name) continue;
      const childTable = ctx.tables.get(child.name)!;
      const parents: Value[][] = fresh.map((k) => [decodeKey(k)[0]]);
      const rows = await ctx.target.readByKeys(childTable.name, [field.target], parents);
      const childKeys = keyTexts(rows, childTable.primaryKey).filter((k) => !visited.has(`${childTable.name}\u0000${k}`));
      if (childKeys.length === 0) continue;
      // Cleared where migrate would load the row without its parent: `onMissing: null`, and
      // deferred references (self-references, cycles), which pass 2 leaves NULL when the parent
      // is missing. Only a reference that would reject the row takes the row with its parent.
      if (field.ref.onMissing === 'null' || field.ref.deferred) {
        const refIdx = rows.columns.indexOf(field.target);
        const all = keyTexts(rows, childTable.primaryKey);
        const nulled = rows.rows.flatMap((row, i) => {
          if (!childKeys.includes(all[i])) return [];
          const after = [...row];
          after[refIdx] = null;
          journal.push(journalEntry(child.name, childTable, all[i], 'update', rows.columns, row, after));
          return [after];
        });
        await journalBefore(ctx, journal);
        counts.childrenNulled += await ctx.writer.write(
          childTable.name,
          { columns: rows.columns, rows: nulled },
          { mode: 'upsert', key: childTable.primaryKey },
        );
      } else {
        counts.childrenDeleted += await deleteRows(ctx, child, childKeys, journal, counts, visited);
      }
    }
  }
  const prior = await ctx.target.readByKeys(
    table.name,
    table.primaryKey,
    fresh.map((k) => typedKey(table, table.primaryKey, k)),
  );
  const keys = keyTexts(prior, table.primaryKey);
  prior.rows.forEach((row, i) => {
    journal.push(journalEntry(object.name, table, keys[i], 'delete', prior.columns, row));
  });
  await journalBefore(ctx, journal);
  const deleted = await ctx.writer.deleteByKeys(
    table.name,
    table.primaryKey,
    keys.map((k) => typedKey(table, table.primaryKey, k)),
  );
  return deleted;
}

function journalEntry(
  object: string,
  table: TableSchema,
  targetKey: string,
  action: 'update' | 'delete',
  columns: readonly string[],
  prior: readonly Value[],
  after?: readonly Value[],
): JournalRecord {
  return {
    object,
    table: table.name,
    targetKey,
    action,
    prior: JSON.stringify(rowTexts(table, columns, [...prior])),
    ...(after ? { after: JSON.stringify(rowTexts(table, columns, [...after])) } : {}),
  };
}

/**
 * Commits the journal records gathered so far before the write they describe (and empties the
 * list): see StateStore.journalIntent.
 */
async function journalBefore(ctx: SyncContext, journal: JournalRecord[]): Promise<void> {
  await ctx.state.journalIntent(ctx.pass.runId, journal.splice(0));
}

/**
 * Stores a sync write's journal entries and id mappings under the run (with the object's ledger
 * so far), in one state transaction: call only after the writes they describe committed.
 */
export async function commitSyncRecords(
  ctx: SyncContext,
  object: string,
  records: { readonly journal?: readonly JournalRecord[]; readonly idMappings?: readonly IdMapping[] },
): Promise<void> {
  if (!records.journal?.length && !records.idMappings?.length) return;
  await ctx.state.commitBatch(ctx.pass.runId, {
    object,
    pass: 1,
    checkpoint: { object, pass: 1, position: '', done: false, ledger: { ...ctx.ledgers.get(object)! } },
    ...records,
  });
}
