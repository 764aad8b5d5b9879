import type { Connector, Writer } from '../../connectors/contract.js';
import { canonicalTexts, parseCanonicalText } from '../../core/canonical.js';
import { CrmError } from '../../core/errors/index.js';
import { encodeKey } from '../../core/keys.js';
import { killPoint } from '../../core/kill-point.js';
import type { TableSchema, Value } from '../../core/types.js';
import { targetView } from '../../mapping/plan/name-map.js';
import type { IdMapping, JournalRecord, LedgerCounts, StateStore } from '../../state/state-store.js';
import { type ObjectVerification, type VerifyOptions, type VerifyResult, verify } from '../verify/verify.js';

export interface RepairOptions extends VerifyOptions {
  /** Also delete rows the target has and the source (through the mapping) does not — of the verify scope's rows only. Off by default. */
  readonly deleteExtra?: boolean;
}

export interface ObjectRepair {
  readonly object: string;
  readonly inserted: number;
  readonly updated: number;
  readonly deleted: number;
  /** Extra rows left in place (no --delete-extra). */
  readonly extraKept: number;
}

export interface RepairResult {
  readonly runId: string;
  readonly before: VerifyResult;
  readonly objects: readonly ObjectRepair[];
  /** The verification after the repair: equal unless extra rows were kept or a write failed. */
  readonly after: VerifyResult;
}

type RowText = Record<string, string | null>;

/**
 * `crmbridge repair`: verifies, then fixes exactly the reported differences — inserts the missing
 * rows, updates the differing ones to the mapped values, deletes extra rows only with
 * `deleteExtra` — as a run of kind 'repair' whose journal holds every change with the row before
 * and after it (so `crmbridge rollback <run>` undoes it), then verifies again.
 */
export async function repair(options: RepairOptions): Promise<RepairResult> {
  const { state, target, plan } = options;
  const before = await verify(options);
  const failed = before.objects.find((o) => o.status === 'failed');
  if (failed) throw new CrmError('CRM_E6001', `cannot repair: verifying ${failed.object} failed: ${failed.error ?? ''}`);
  const run = await state.createRun({
    kind: 'repair',
    dryRun: false,
    planHash: plan.hash,
    options: { deleteExtra: options.deleteExtra ?? false, baselineRun: before.baselineRun ?? null },
  });
  const differing = before.objects.filter((o) => o.status === 'different');
  const schema = targetView(
    plan,
    await target.introspect({ tables: [...new Set(differing.map((o) => o.table))] }),
    target.capabilities.maxIdentifierLength,
  );
  const tableOf = (o: ObjectVerification) => schema.tables.find((t) => t.name === o.table)!;
  const writer = await target.writer();
  const io: RepairWrite = { writer, target, state, runId: run.id };
  const results = new Map<string, ObjectRepair>(
    before.objects.map((o) => [o.object, { object: o.object, inserted: 0, updated: 0, deleted: 0, extraKept: o.extra.length }]),
  );
  try {
    // Parents before children for writes (plan order), children before parents for deletes.
    for (const o of differing) {
      const counts = await insertAndUpdate(io, tableOf(o), o);
      // An inserted row is the migration's from now on (verify's scope `migration`): mapped like a loaded one.
      const idMappings = o.missing.filter((m) => m.sourceKey).map((m) => ({ sourceKey: m.sourceKey, targetKey: encodeKey(m.key) }));
      await commit(state, run.id, o.object, 1, { created: counts.inserted, updated: counts.updated }, idMappings);
      results.set(o.object, { ...results.get(o.object)!, inserted: counts.inserted, updated: counts.updated });
    }
    if (options.deleteExtra) {
      for (const o of [...differing].reverse()) {
        if (o.extra.length === 0) continue;
        const deleted = await deleteExtra(io, tableOf(o), o);
        const done = results.get(o.object)!;
        // The ledger row is per object: the delete phase (pass 2) carries the write phase's counts.
        await commit(state, run.id, o.object, 2, { created: done.inserted, updated: done.updated });
        results.set(o.object, { ...done, deleted, extraKept: 0 });
      }
    }
  } catch (err) {
    await writer.close();
    await state.finishRun(run.id, 'failed', { error: err instanceof Error ? err.message : String(err) });
    throw err;
  }
  await writer.close();
  const after = await verify(options);
  const objects = [...results.values()];
  await state.finishRun(run.id, after.equal ? 'completed' : 'incomplete', { objects: objects.map((o) => ({ ...o })) });
  return { runId: run.id, before, objects, after };
}

/** Inserts the missing rows and writes the mapped values over the differing ones, journalled with their prior rows. */
async function insertAndUpdate(
  { writer, target, state, runId }: RepairWrite,
  table: TableSchema,
  o: ObjectVerification,
): Promise<{ inserted: number; updated: number }> {
  const columns = [...o.key, ...o.columns];
  const rowOf = (key: readonly string[], values: Readonly<RowText>): RowText => ({
    ...Object.fromEntries(o.key.map((k, i) => [k, key[i]])),
    ...values,
  });
  if (o.missing.length > 0) {
    const rows = o.missing.map((m) => rowOf(m.key, m.expected));
    const records = o.missing.map(
      (m, i): JournalRecord => ({
        object: o.object,
        table: table.name,
        targetKey: encodeKey(m.key),
        action: 'insert',
        after: JSON.stringify(rows[i]),
      }),
    );
    await journalled(state, runId, records, () =>
      writer.write(table.name, { columns, rows: rows.map((r) => typedRow(table, columns, r)) }, { mode: 'insert' }),
    );
  }
  if (o.changed.length > 0) {
    const prior = await currentRows(
      target,
      table,
      o.key,
      o.changed.map((c) => c.key),
    );
    const rows = o.changed.map((c) => rowOf(c.key, c.expected));
    const records = o.changed.map((c, i): JournalRecord => {
      const targetKey = encodeKey(c.key);
      return {
        object: o.object,
        table: table.name,
        targetKey,
        action: 'update',
        prior: JSON.stringify(prior.get(targetKey)),
        after: JSON.stringify(rows[i]),
      };
    });
    await journalled(state, runId, records, () =>
      writer.write(table.name, { columns, rows: rows.map((r) => typedRow(table, columns, r)) }, { mode: 'upsert', key: o.key }),
    );
  }
  return { inserted: o.missing.length, updated: o.changed.length };
}

async function deleteExtra({ writer, target, state, runId }: RepairWrite, table: TableSchema, o: ObjectVerification): Promise<number> {
  const keys = o.extra.map((e) => e.key);
  const prior = await currentRows(target, table, o.key, keys);
  const records = keys.map((k) => ({
    object: o.object,
    table: table.name,
    targetKey: encodeKey(k),
    action: 'delete' as const,
    prior: JSON.stringify(prior.get(encodeKey(k))),
  }));
  await journalled(state, runId, records, () =>
    writer.deleteByKeys(
      table.name,
      o.key,
      keys.map((k) => typedRow(table, o.key, Object.fromEntries(o.key.map((c, i) => [c, k[i]])))),
    ),
  );
  return records.length;
}

/** Where a repair writes and journals. */
interface RepairWrite {
  readonly writer: Writer;
  readonly target: Connector;
  readonly state: StateStore;
  readonly runId: string;
}

/**
 * Commits the journal records of a write before the write (StateStore.journalIntent): a repair
 * killed at any point can be rolled back, as an intent whose write never happened has nothing
 * to undo (the row is absent, or still equals its prior image).
 */
async function journalled(
  state: StateStore,
  runId: string,
  records: readonly JournalRecord[],
  write: () => Promise<unknown>,
): Promise<void> {
  await state.journalIntent(runId, records);
  killPoint('intent');
  await write();
  killPoint('written');
}

/** The whole current rows (every column, canonical texts) by target key text, for the journal's `prior`. */
async function currentRows(
  target: Connector,
  table: TableSchema,
  key: readonly string[],
  keys: readonly (readonly string[])[],
): Promise<Map<string, RowText>> {
  const typedKeys = keys.map((k) => typedRow(table, key, Object.fromEntries(key.map((c, i) => [c, k[i]]))));
  const batch = await target.readByKeys(table.name, key, typedKeys);
  const types = batch.columns.map((c) => table.columns.find((t) => t.name === c)!.type);
  const keyIdx = key.map((k) => batch.columns.indexOf(k));
  return new Map(
    batch.rows.map((r) => {
      const texts = canonicalTexts(r, types);
      return [encodeKey(keyIdx.map((i) => texts[i])), Object.fromEntries(batch.columns.map((c, i) => [c, texts[i]]))];
    }),
  );
}

/** Canonical texts → the values to write (the canonical text form is lossless). */
function typedRow(table: TableSchema, columns: readonly string[], texts: Readonly<RowText>): Value[] {
  return columns.map((c) => {
    const text = texts[c];
    return text === null || text === undefined ? null : parseCanonicalText(text, table.columns.find((t) => t.name === c)!.type);
  });
}

async function commit(
  state: StateStore,
  runId: string,
  object: string,
  pass: number,
  counts: Pick<LedgerCounts, 'created' | 'updated'>,
  idMappings: readonly IdMapping[] = [],
): Promise<void> {
  const ledger: LedgerCounts = { read: counts.created + counts.updated, unchanged: 0, rejected: 0, filtered: 0, ...counts };
  // The journal is in already: each write's records were committed before it.
  await state.commitBatch(runId, { object, pass, checkpoint: { object, pass, position: '', done: true, ledger }, idMappings });
  killPoint('committed');
}
