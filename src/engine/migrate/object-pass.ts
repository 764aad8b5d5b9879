import type { Connector, Writer } from '../../connectors/contract.js';
import { canonicalTexts } from '../../core/canonical.js';
import { CrmError } from '../../core/errors/index.js';
import { decodeKey, encodeKey } from '../../core/keys.js';
import { killPoint } from '../../core/kill-point.js';
import type { CanonicalType, Row, TableSchema, Value } from '../../core/types.js';
import type { ObjectPlan } from '../../mapping/plan/plan-types.js';
import type { ObjectMapper } from '../../mapping/row-mapper.js';
import type { IdMapping, JournalRecord, JournalSpan, LedgerCounts, RejectRecord, StateStore } from '../../state/state-store.js';
import { deterministicUuid } from '../deterministic-uuid.js';
import type { EventSink, MigrateEvent } from '../events.js';
import type { IdResolver } from '../id-resolver.js';
import { addLedger } from '../ledger.js';
import { reasonFor } from '../reject-reasons.js';
import { rowDigest } from '../row-digest.js';
import { checkViolations } from './check-guard.js';
import { prefetch } from './prefetch.js';
import { rejectingLookup, type SourceBatch } from './source-batches.js';
import { compileTargetRules } from './target-rules.js';
import type { UniqueGuard } from './unique-guard.js';
import { type IsolatedWrite, writeIsolated } from './write-isolated.js';

export interface PassContext {
  readonly runId: string;
  readonly source: Connector;
  readonly target: Connector;
  /** Undefined in a dry run: nothing is ever written to the target. */
  readonly writer: Writer | undefined;
  readonly state: StateStore;
  readonly ids: IdResolver;
  readonly batchSize: number;
  readonly signal?: AbortSignal;
  readonly emit: EventSink;
  readonly tableColumns: ReadonlyMap<string, readonly string[]>;
  readonly uniques: UniqueGuard;
  /**
   * Objects whose target table was empty when their first (not resumed) load began: their rows
   * are not read back to classify created/updated/unchanged — everything is created — which
   * spares one target read per batch on the initial load, the bulk of a migration.
   */
  readonly freshObjects: Set<string>;
  /** Dry run only: target tables that do not exist yet (never read). */
  readonly missingTables: ReadonlySet<string>;
  /** Called after every committed batch with the rejects it added; throws to stop the run (thresholds). */
  readonly afterBatch: (object: string, ledger: LedgerCounts) => void;
}

/** One source row on its way: its key, its source record and either target values or a reject. */
interface Pending {
  readonly sourceKey: string;
  readonly record: Row;
  readonly line?: number;
  values?: Value[];
  reject?: RejectRecord;
}

/**
 * Pass 1 of an object: stream the source from the checkpoint, map each row, remap references,
 * check the target's rules, sort rows into created / updated / unchanged against the target's
 * current rows, write the created and updated ones (bad rows isolated), and commit checkpoint,
 * ledger, id map, rejects and journal for the batch — only after the target write committed.
 *
 * Deferred reference columns (self-references, broken cycles) are left out here and written
 * by the second pass, so a re-run compares and writes them only once.
 */
export async function loadObject(
  ctx: PassContext,
  object: ObjectPlan,
  mapper: ObjectMapper,
  targetTable: TableSchema,
  /** The ledger so far; for one key-range chunk of the object, its number and upper bound (see `Checkpoint`). */
  start: { ledger: LedgerCounts; chunk?: number; upTo?: string },
  /** The source rows to load: `sourceBatches` from the checkpoint, or `sourceRowsByKeys` for a retry. */
  batches: AsyncIterable<SourceBatch>,
): Promise<LedgerCounts> {
  const ledger = { ...start.ledger };
  const columns = mapper.targetColumns.filter((c) => !object.deferredFields.includes(c));
  const colIdx = columns.map((c) => mapper.targetColumns.indexOf(c));
  // Without deferred fields the mapped row already has this pass's layout: no copy per row.
  const sameLayout = colIdx.every((c, i) => c === i) && columns.length === mapper.targetColumns.length;
  const keyIdx = object.target.key.map((k) => columns.indexOf(k));
  const rules = compileTargetRules(targetTable, columns);
  const types = columns.map((c) => targetTable.columns.find((t) => t.name === c)!.type);
  const references = mapper.references.filter((r) => !r.field.ref!.deferred);
  const since = { at: Date.now(), read: ledger.read };
  let bound: ((row: Row) => ReturnType<ReturnType<ObjectMapper['bind']>>) | undefined;
  let boundColumns: readonly string[] | undefined;

  /** Maps one batch, remaps its references and checks the target's rules: CPU work, no target write. */
  const prepare = async (batch: SourceBatch) => {
    if (!bound || boundColumns !== batch.columns) {
      // Layout is the same for every batch of a source; bind once (cheap check by identity first).
      if (!boundColumns || boundColumns.join('\u0000') !== batch.columns.join('\u0000')) bound = mapper.bind(batch.columns);
      boundColumns = batch.columns;
    }
    const rejects: RejectRecord[] = batch.rejects.map((r) => ({
      object: object.name,
      sourceKey: '',
      reason: reasonFor(r.code),
      code: r.code,
      message: r.message,
      rawValue: r.raw,
      ...(r.column ? { field: r.column } : {}),
      ...(r.file ? { file: r.file } : {}),
      ...(r.line !== undefined ? { line: r.line } : {}),
    }));
    for (const d of batch.duplicates?.rejects ?? []) {
      rejects.push({
        object: object.name,
        sourceKey: d.sourceKey,
        reason: reasonFor(d.code),
        code: d.code,
        message: d.message,
        // The record as read from the base table: the leading columns of the batch.
        record: recordJson(batch.columns.slice(0, d.record.length), d.record),
        ...(d.line !== undefined ? { line: d.line } : {}),
        ...(d.rowLoaded ? { rowLoaded: true } : {}),
      });
    }
    const pending: Pending[] = batch.rows.map((row, i) => {
      const p: Pending = { sourceKey: batch.keys[i], record: row, ...(batch.lines ? { line: batch.lines[i] } : {}) };
      // A deferred lookup that is ambiguous leaves only its reference empty, in pass 2.
      const ambiguous = rejectingLookup(object, batch.ambiguous.get(row), (f) => !object.deferredFields.includes(f));
      if (ambiguous) {
        p.reject = rejectOf(
          object.name,
          p,
          batch.columns,
          ambiguous.field,
          ambiguous.matched,
          'ambiguous_reference',
          'CRM_R4014',
          ambiguous.message,
        );
        return p;
      }
      const mapped = bound!(row);
      if (mapped.failure) {
        const f = mapped.failure;
        p.reject = rejectOf(object.name, p, batch.columns, f.field, f.raw, f.reason, f.code, f.message);
      } else {
        p.values = mapped.values;
      }
      return p;
    });
    if (object.target.generateKey === 'uuid') {
      const keyPos = mapper.targetColumns.indexOf(object.target.key[0]);
      for (const p of pending) if (p.values) p.values[keyPos] = deterministicUuid(object.name, p.sourceKey);
    }
    await remapReferences(ctx, object, pending, references, batch.columns);
    // From here on rows hold only the columns written in this pass.
    const checked: Pending[] = [];
    for (const p of pending) {
      if (!p.values) continue;
      const values = sameLayout ? p.values : colIdx.map((i) => p.values![i]);
      const violation = rules(values);
      if (violation)
        p.reject = rejectOf(
          object.name,
          p,
          batch.columns,
          violation.column,
          violation.raw,
          violation.reason,
          violation.code,
          violation.message,
        );
      else {
        p.values = values;
        checked.push(p);
      }
    }
    // A dry run only: a real run leaves CHECKs to the target (no query per batch), which refuses
    // the same rows with the same code (see `check-guard.ts`).
    const refused = ctx.writer
      ? []
      : await checkViolations(
          ctx.target,
          targetTable,
          columns,
          checked.map((p) => p.values!),
        );
    checked.forEach((p, i) => {
      const message = refused[i];
      if (message !== undefined)
        p.reject = rejectOf(object.name, p, batch.columns, undefined, null, 'target_rejected', 'CRM_R4013', message);
    });
    return { batch, pending, rejects };
  };

  /** Classifies and writes a prepared batch, then commits its bookkeeping (after the write committed). */
  const finish = async ({ batch, pending, rejects }: Awaited<ReturnType<typeof prepare>>) => {
    const ok = pending.filter((p) => !p.reject);
    const outcome = await classifyAndWrite(ctx, object, ok, columns, keyIdx, types);
    await ctx.uniques.record(
      ctx.target,
      object,
      columns,
      outcome.writtenValues,
      (v) => encodeKey(keyIdx.map((i) => v[i])),
      !probesUniques(ctx, object),
    );
    for (const f of outcome.failed) {
      f.pending.reject = rejectOf(
        object.name,
        f.pending,
        batch.columns,
        f.error.location.column,
        null,
        reasonFor(f.error.code),
        f.error.code,
        f.error.message,
      );
    }
    for (const p of pending) if (p.reject) rejects.push(p.reject);
    const collapsed = batch.duplicates?.collapsed ?? 0;
    addLedger(ledger, {
      // `rejects` holds the reader's and the rule's rejects besides the rows': all were read.
      read: batch.rows.length + batch.rejects.length + (batch.duplicates?.rejects.length ?? 0) + collapsed,
      filtered: collapsed,
      duplicates: collapsed,
      created: outcome.created,
      updated: outcome.updated,
      unchanged: outcome.unchanged,
      rejected: rejects.length,
    });
    ctx.ids.remember(object.name, outcome.idMappings);
    await ctx.state.commitBatch(ctx.runId, {
      object: object.name,
      pass: 1,
      checkpoint: { object: object.name, pass: 1, ...chunkOf(start), position: batch.position, done: false, ledger: { ...ledger } },
      idMappings: outcome.idMappings,
      rejects,
      journal: outcome.journal,
      ...(outcome.replacesIntent ? { replacesIntent: outcome.replacesIntent } : {}),
    });
    killPoint('committed');
    ctx.emit(progressEvent(object.name, ledger, since));
    ctx.afterBatch(object.name, ledger);
  };

  // Two stages: batch n is written and committed while batch n+1 is mapped, so the CPU work of
  // mapping overlaps the wait on the target. Writes and commits stay strictly in batch order
  // (a batch is classified only after the previous one committed), so checkpoints and the
  // unique-key probe see every earlier batch.
  let writing: Promise<void> | undefined;
  try {
    for await (const batch of prefetch(batches)) {
      const prepared = await prepare(batch);
      await writing;
      writing = finish(prepared);
      // Awaited at the next batch or below; never an unhandled rejection meanwhile.
      writing.catch(() => {});
    }
    await writing;
  } finally {
    // An error while mapping must not leave the previous write running unobserved.
    await writing?.catch(() => {});
  }
  return ledger;
}

/** An object's pass-1 progress: its ledger so far, and the rows read per second since `since`. */
export function progressEvent(object: string, ledger: LedgerCounts, since: { at: number; read: number }): MigrateEvent {
  const seconds = (Date.now() - since.at) / 1000;
  return {
    type: 'progress',
    object,
    pass: 1,
    ledger: { ...ledger },
    rowsPerSecond: seconds > 0 ? (ledger.read - since.read) / seconds : 0,
  };
}

/** The chunk fields of a checkpoint (none for a whole-object pass). */
export function chunkOf(start: { chunk?: number; upTo?: string }): { chunk?: number; upTo?: string } {
  return { ...(start.chunk ? { chunk: start.chunk } : {}), ...(start.upTo !== undefined ? { upTo: start.upTo } : {}) };
}

function rejectOf(
  object: string,
  p: Pending,
  columns: readonly string[],
  field: string | undefined,
  raw: unknown,
  reason: string,
  code: string,
  message: string,
): RejectRecord {
  return {
    object,
    sourceKey: p.sourceKey,
    ...(field ? { field } : {}),
    ...(raw !== null && raw !== undefined ? { rawValue: rawText(raw) } : {}),
    reason,
    code,
    message,
    record: recordJson(columns, p.record),
    ...(p.line !== undefined ? { line: p.line } : {}),
  };
}

/** The source record as JSON text, values as text, so a reject can be exported and retried. */
export function recordJson(columns: readonly string[], row: Row): string {
  const out: Record<string, string | null | string[]> = {};
  columns.forEach((c, i) => {
    const v = row[i];
    if (c.startsWith('@')) return;
    out[c] = v === null ? null : Array.isArray(v) ? [...v] : rawText(v);
  });
  return JSON.stringify(out);
}

function rawText(v: unknown): string {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (Array.isArray(v)) return JSON.stringify(v.map((x) => (typeof x === 'bigint' ? String(x) : x)));
  return String(v);
}

/**
 * Replaces each reference's source key with the referenced object's target key, batch-wise.
 * A parent rejected in this run gives `parent_rejected`; a parent that does not exist gives
 * `missing_parent`, or NULL where the mapping says `onMissing: null`.
 */
async function remapReferences(
  ctx: PassContext,
  object: ObjectPlan,
  pending: Pending[],
  references: ObjectMapper['references'],
  sourceColumns: readonly string[],
): Promise<void> {
  for (const { index, field } of references) {
    const ref = field.ref!;
    const live = pending.filter((p) => p.values && p.values[index] !== null);
    if (live.length === 0) continue;
    const keys = live.map((p) => encodeKey([p.values![index]]));
    // A parent rejected in this run wins over an id mapping left by an earlier run.
    const rejected = await ctx.state.rejectedKeys(ctx.runId, ref.object, keys);
    const found = await ctx.ids.lookup(ref.object, keys);
    for (const [i, p] of live.entries()) {
      const k = keys[i];
      const target = rejected.has(k) ? undefined : found.get(k);
      if (target !== undefined) {
        p.values![index] = decodeKey(target)[0];
      } else if (ref.onMissing === 'null' && !rejected.has(k)) {
        p.values![index] = null;
      } else {
        const parentRejected = rejected.has(k);
        p.reject = rejectOf(
          object.name,
          p,
          sourceColumns,
          field.target,
          p.values![index],
          parentRejected ? 'parent_rejected' : 'missing_parent',
          parentRejected ? 'CRM_R4012' : 'CRM_R4009',
          parentRejected ? `the referenced ${ref.object} row ${k} was rejected` : `no ${ref.object} row has source key ${k}`,
        );
        p.values = undefined;
      }
    }
  }
}

interface WriteOutcome {
  created: number;
  updated: number;
  unchanged: number;
  failed: { pending: Pending; error: CrmError }[];
  idMappings: IdMapping[];
  journal: JournalRecord[];
  /** The intent `journal` replaces (some rows were refused). */
  replacesIntent?: JournalSpan;
  /** Values of the rows written (or, in a dry run, that would have been). */
  writtenValues: Value[][];
}

/**
 * Compares mapped rows with the target's current rows (one `readByKeys` per batch) and writes
 * only what is new or different, so a re-run of a finished migration changes nothing. The
 * journal keeps created keys and the prior values of updated rows, for rollback.
 */
async function classifyAndWrite(
  ctx: PassContext,
  object: ObjectPlan,
  rows: Pending[],
  columns: readonly string[],
  keyIdx: readonly number[],
  types: readonly CanonicalType[],
): Promise<WriteOutcome> {
  const outcome: WriteOutcome = { created: 0, updated: 0, unchanged: 0, failed: [], idMappings: [], journal: [], writtenValues: [] };
  if (rows.length === 0) return outcome;
  const table = object.target.table;
  const targetKeyOf = (values: readonly Value[]) => encodeKey(keyIdx.map((i) => values[i]));
  // A source with two rows mapping to one target key: the later one wins within the batch is
  // NOT acceptable silently; the duplicates are rejected as duplicate_key.
  const seen = new Map<string, Pending>();
  const unique: Pending[] = [];
  const uniqueKeys: string[] = [];
  for (const p of rows) {
    const k = targetKeyOf(p.values!);
    const first = seen.get(k);
    if (first) {
      outcome.failed.push({
        pending: p,
        error: new CrmError('CRM_R4008', `target key ${k} is also produced by source row ${first.sourceKey}`),
      });
      continue;
    }
    seen.set(k, p);
    unique.push(p);
    uniqueKeys.push(k);
  }
  const fresh = unread(ctx, object);
  const existing = fresh
    ? { columns, rows: [] }
    : await ctx.target.readByKeys(
        table,
        object.target.key,
        unique.map((p) => keyIdx.map((i) => p.values![i])),
        columns,
      );
  const existingIdx = columns.map((c) => existing.columns.indexOf(c));
  const current = new Map<string, (string | null)[]>();
  for (const r of existing.rows) {
    const aligned = existingIdx.map((i) => r[i]);
    current.set(targetKeyOf(aligned), canonicalTexts(aligned, types));
  }
  // The rows to write, each with its target key and its journal image, made at once so the
  // texts are garbage before the write (less for the collector to copy meanwhile): an updated
  // row keeps its prior and new images, a new row only a digest over the object's journal
  // columns (stored with the run).
  const toWrite: { pending: Pending; key: string; prior?: string; after: string }[] = [];
  const taken = await ctx.uniques.conflicts(
    ctx.target,
    probesUniques(ctx, object),
    object,
    columns,
    unique.map((p) => p.values!),
    targetKeyOf,
  );
  for (const [i, p] of unique.entries()) {
    const k = uniqueKeys[i];
    const conflict = taken.get(i);
    if (conflict) {
      outcome.failed.push({ pending: p, error: new CrmError('CRM_R4008', conflict, { location: { column: conflict.split(' ')[0] } }) });
      continue;
    }
    const before = current.get(k);
    const after = canonicalTexts(p.values!, types);
    if (before?.every((v, i) => v === after[i])) {
      outcome.unchanged++;
      outcome.idMappings.push({ sourceKey: p.sourceKey, targetKey: k });
      continue;
    }
    if (before && object.mode === 'insert') {
      outcome.failed.push({ pending: p, error: new CrmError('CRM_R4008', `target row ${k} exists with other values (mode insert)`) });
      continue;
    }
    if (!before && object.mode === 'update') {
      outcome.failed.push({ pending: p, error: new CrmError('CRM_R4009', `target row ${k} does not exist (mode update)`) });
      continue;
    }
    toWrite.push(
      before
        ? { pending: p, key: k, prior: rowJson(columns, before), after: rowJson(columns, after) }
        : { pending: p, key: k, after: rowDigest(after) },
    );
  }
  const journal: JournalRecord[] = toWrite.map(({ key, prior, after }) => ({
    object: object.name,
    table,
    targetKey: key,
    action: prior ? 'update' : 'insert',
    after,
    ...(prior ? { prior } : {}),
  }));
  // Journalled before the write (see StateStore.journalIntent): a crash after the write and
  // before the checkpoint leaves rows a replay finds unchanged, which only the intent covers.
  const intent = ctx.writer ? await ctx.state.journalIntent(ctx.runId, journal) : undefined;
  killPoint('intent');
  const written = ctx.writer
    ? await writeIsolated(
        ctx.writer,
        table,
        columns,
        toWrite.map((w) => w.pending.values!),
        // A fresh load inserts: two source rows that map to one target key then collide in the
        // target's primary key and the second is rejected, instead of silently overwriting.
        object.mode === 'insert' || ctx.freshObjects.has(object.name) ? { mode: 'insert' } : { mode: 'upsert', key: object.target.key },
      )
    : { written: toWrite.map((_, i) => i), failed: [] };
  killPoint('written');
  for (const f of written.failed) outcome.failed.push({ pending: toWrite[f.index].pending, error: f.error });
  for (const i of written.written) {
    const { pending: p, key, prior } = toWrite[i];
    if (prior) outcome.updated++;
    else outcome.created++;
    outcome.idMappings.push({ sourceKey: p.sourceKey, targetKey: key });
    outcome.writtenValues.push(p.values!);
  }
  Object.assign(outcome, settledJournal(journal, written, intent));
  return outcome;
}

/**
 * What a batch's checkpoint commits of its journal, given the intent stored before the write:
 * nothing when the intent covers exactly the rows written; else the written rows' records,
 * replacing the intent (refused rows must not stay journalled: a later row with their key
 * would look changed since the run). Without an intent (dry run), the written rows' records.
 */
export function settledJournal(
  journal: readonly JournalRecord[],
  written: IsolatedWrite,
  intent: JournalSpan | undefined,
): { journal: JournalRecord[]; replacesIntent?: JournalSpan } {
  if (intent && written.failed.length === 0) return { journal: [] };
  return { journal: written.written.map((i) => journal[i]), ...(intent ? { replacesIntent: intent } : {}) };
}

/** A row's canonical texts as a JSON object (column → text or null): a journal image. */
export function rowJson(columns: readonly string[], texts: readonly (string | null)[]): string {
  return JSON.stringify(Object.fromEntries(columns.map((c, i) => [c, texts[i]])));
}

/**
 * Whether unique keys are checked against the target. Not in a dry run of a fresh load (the
 * target lacks the rows the run would have written; they are remembered instead, in memory). A
 * real fresh load does probe: the rows of its earlier batches are committed, so memory stays
 * bounded whatever the table size.
 */
function probesUniques(ctx: PassContext, object: ObjectPlan): boolean {
  return !ctx.missingTables.has(object.target.table) && (ctx.writer !== undefined || !ctx.freshObjects.has(object.name));
}

/** The object's target rows are not read back (a table missing in a dry run, or a fresh load). */
function unread(ctx: PassContext, object: ObjectPlan): boolean {
  return ctx.missingTables.has(object.target.table) || ctx.freshObjects.has(object.name);
}
