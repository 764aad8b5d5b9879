import type { Connector, Writer } from '../../connectors/contract.js';
import { canonicalTexts, parseCanonicalText } from '../../core/canonical.js';
import { CrmError } from '../../core/errors/index.js';
import { encodeKey } from '../../core/keys.js';
import type { TableSchema, Value } from '../../core/types.js';
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
  const schema = await target.introspect({ tables: [...new Set(differing.map((o) => o.table))] });
  const tableOf = (o: ObjectVerification) => schema.tables.find((t) => t.name === o.table)!;
  const writer = await target.writer();
  const results = new Map<string, ObjectRepair>(
    before.objects.map((o) => [o.object, { object: o.object, inserted: 0, updated: 0, deleted: 0, extraKept: o.extra.length }]),
  );
  try {
    // Parents before children for writes (plan order), children before parents for deletes.
    for (const o of differing) {
      const counts = await insertAndUpdate(writer, target, tableOf(o), o);
      // An inserted row is the migration's from now on (verify's scope `migration`): mapped like a loaded one.
      const idMappings = o.missing.filter((m) => m.sourceKey).map((m) => ({ sourceKey: m.sourceKey, targetKey: encodeKey(m.key) }));
      await commit(state, run.id, o.object, 1, counts.journal, { created: counts.inserted, updated: counts.updated }, idMappings);
      results.set(o.object, { ...results.get(o.object)!, inserted: counts.inserted, updated: counts.updated });
    }
    if (options.deleteExtra) {
      for (const o of [...differing].reverse()) {
        if (o.extra.length === 0) continue;
        const journal = await deleteExtra(writer, target, tableOf(o), o);
        const done = results.get(o.object)!;
        // The ledger row is per object: the delete phase (pass 2) carries the write phase's counts.
        await commit(state, run.id, o.object, 2, journal, { created: done.inserted, updated: done.updated });
        results.set(o.object, { ...done, deleted: journal.length, extraKept: 0 });
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
  writer: Writer,
  target: Connector,
  table: TableSchema,
  o: ObjectVerification,
): Promise<{ inserted: number; updated: number; journal: JournalRecord[] }> {
  const columns = [...o.key, ...o.columns];
  const journal: JournalRecord[] = [];
  const rowOf = (key: readonly string[], values: Readonly<RowText>): RowText => ({
    ...Object.fromEntries(o.key.map((k, i) => [k, key[i]])),
    ...values,
  });
  if (o.missing.length > 0) {
    const rows = o.missing.map((m) => rowOf(m.key, m.expected));
    await writer.write(table.name, { columns, rows: rows.map((r) => typedRow(table, columns, r)) }, { mode: 'insert' });
    for (const [i, m] of o.missing.entries()) {
      journal.push({ object: o.object, table: table.name, targetKey: encodeKey(m.key), action: 'insert', after: JSON.stringify(rows[i]) });
    }
  }
  if (o.changed.length > 0) {
    const prior = await currentRows(
      target,
      table,
      o.key,
      o.changed.map((c) => c.key),
    );
    const rows = o.changed.map((c) => rowOf(c.key, c.expected));
    await writer.write(table.name, { columns, rows: rows.map((r) => typedRow(table, columns, r)) }, { mode: 'upsert', key: o.key });
    for (const [i, c] of o.changed.entries()) {
      const targetKey = encodeKey(c.key);
      journal.push({
        object: o.object,
        table: table.name,
        targetKey,
        action: 'update',
        prior: JSON.stringify(prior.get(targetKey)),
        after: JSON.stringify(rows[i]),
      });
    }
  }
  return { inserted: o.missing.length, updated: o.changed.length, journal };
}

async function deleteExtra(writer: Writer, target: Connector, table: TableSchema, o: ObjectVerification): Promise<JournalRecord[]> {
  const keys = o.extra.map((e) => e.key);
  const prior = await currentRows(target, table, o.key, keys);
  await writer.deleteByKeys(
    table.name,
    o.key,
    keys.map((k) => typedRow(table, o.key, Object.fromEntries(o.key.map((c, i) => [c, k[i]])))),
  );
  return keys.map((k) => ({
    object: o.object,
    table: table.name,
    targetKey: encodeKey(k),
    action: 'delete' as const,
    prior: JSON.stringify(prior.get(encodeKey(k))),
  }));
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
  journal: readonly JournalRecord[],
  counts: Pick<LedgerCounts, 'created' | 'updated'>,
  idMappings: readonly IdMapping[] = [],
): Promise<void> {
  const ledger: LedgerCounts = { read: counts.created + counts.updated, unchanged: 0, rejected: 0, filtered: 0, ...counts };
  await state.commitBatch(runId, { object, pass, checkpoint: { object, pass, position: '', done: true, ledger }, journal, idMappings });
}
