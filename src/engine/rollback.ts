import type { Connector, Writer } from '../connectors/contract.js';
import { parseCanonicalText, toCanonicalText } from '../core/canonical.js';
import { CrmError } from '../core/errors/index.js';
import { logicalSchema } from '../core/identifiers.js';
import { decodeKey, encodeKey } from '../core/keys.js';
import { killPoint } from '../core/kill-point.js';
import type { DatabaseSchema, TableSchema, Value } from '../core/types.js';
import type { LedgerCounts, RejectRecord, RunRecord, StateStore, StoredJournal } from '../state/state-store.js';
import { isolated, writeIsolated } from './migrate/write-isolated.js';
import { isRowDigest, rowDigest } from './row-digest.js';

/** Why a row the run touched was left as it is. */
export type KeptReason =
  /** Someone changed it since the run (without --force). */
  | 'changed_since_run'
  /** Rows the run did not create (or kept ones) still reference it through a foreign key. */
  | 'still_referenced'
  /** The run updated it and someone deleted it since: an update's image is never re-inserted. */
  | 'deleted_since_run'
  /** The target refused to put it back (the error is in the detail). */
  | 'target_rejected';

export interface KeptRow {
  readonly table: string;
  /** Target key as `encodeKey` text. */
  readonly key: string;
  readonly reason: KeptReason;
  /** What holds it (e.g. `referenced by people ["p1"]`). */
  readonly detail: string;
}

export interface RollbackResult {
  readonly runId: string;
  /** The rollback's own run (kind 'rollback'): its checkpoint is how far it got, its rejects the rows it kept. */
  readonly rollbackRunId: string;
  /** Rows restored: created rows deleted, updated rows put back, deleted rows re-inserted. */
  readonly restored: number;
  /** Rows left in place, with why. */
  readonly kept: readonly KeptRow[];
  /** Tables the run created, dropped once empty. */
  readonly droppedTables: readonly string[];
  /** Tables the run created that still hold rows (kept rows, rows written since), or that `keepTables` kept. */
  readonly keptTables: readonly string[];
  readonly forced: boolean;
  /** Set when an earlier rollback of the run had finished: nothing was done this time. */
  readonly alreadyRolledBackAt?: string;
}

type RowText = Record<string, string | null>;

/** What undoing one journal entry takes, judged from the row as it is now. */
type Verdict = 'done' | 'delete' | 'restore' | Exclude<KeptReason, 'still_referenced' | 'target_rejected'>;

const JOURNAL_OBJECT = 'journal';

/**
 * Returns the target to its state before a run, from the run's journal read backwards: rows the
 * run created are deleted, rows it updated get their prior values back, rows it deleted are
 * re-inserted; then the tables the run created are dropped, once empty (unless `keepTables`).
 *
 * Never stops halfway on a row: a row changed since the run is kept unless `force`; a created
 * row that rows the run did not create still reference (the target's foreign key refuses the
 * delete) is kept, with or without `force` — rows outside the journal are never touched — and
 * so, through their own foreign keys, are its parents. Kept rows are reported with what holds them.
 *
 * Resumable and idempotent: the rollback is a run of its own (kind 'rollback') whose checkpoint
 * is the journal position reached, committed after each applied step; a killed rollback goes on
 * from there (a step applied but not checkpointed is judged again and found done: the created row
 * is absent, the updated one equal to its prior image). Once finished, rolling the same run back
 * again does nothing and says when it was done.
 */
export async function rollback(options: {
  readonly runId: string;
  readonly target: Connector;
  readonly state: StateStore;
  readonly force?: boolean;
  readonly keepTables?: boolean;
  readonly pageSize?: number;
}): Promise<RollbackResult> {
  const { runId, target, state } = options;
  const forced = options.force ?? false;
  const run = await state.getRun(runId);
  if (!run) throw new CrmError('CRM_E6003', `no run ${runId}`);
  if (run.dryRun) throw new CrmError('CRM_E6003', `run ${runId} was a dry run: it wrote nothing to roll back`);
  if (run.kind === 'rollback') throw new CrmError('CRM_E6016', `run ${runId} is a rollback`);
  // This run's rollbacks, newest first: an unfinished one is resumed; after a finished one, only
  // the rows it kept are tried again (their holders may be gone, or --force given), and with
  // none kept there is nothing to do.
  const latest = (await state.listRuns()).find((r) => r.kind === 'rollback' && r.options.rollbackOf === runId);
  if (latest?.status === 'completed' && (await state.countRejects(latest.id)).length === 0) {
    return { ...(await summaryOf(state, runId, latest)), alreadyRolledBackAt: latest.finishedAt ?? latest.startedAt };
  }
  const own =
    latest && latest.status !== 'completed'
      ? latest
      : await state.createRun({
          kind: 'rollback',
          dryRun: false,
          planHash: run.planHash,
          parentRunId: runId,
          options: { rollbackOf: runId, force: forced, keepTables: options.keepTables ?? false, retryOf: latest?.id ?? null },
        });
  const retried = typeof own.options.retryOf === 'string' ? await state.listRejects(own.options.retryOf) : undefined;
  const only = retried ? new Set(retried.map((r) => rowId(r.object, r.sourceKey))) : undefined;
  const progress = await progressOf(state, own.id);
  const undo = new Undo(target, await target.introspect(), await target.writer(), run, forced);
  try {
    for (const kept of await state.listRejects(own.id)) undo.kept.add(rowId(kept.object, kept.sourceKey));
    const wanted = only ? (e: StoredJournal) => only.has(rowId(e.table, e.targetKey)) : () => true;
    await walkJournal(state, runId, progress, options.pageSize ?? 1000, wanted, async (chunk, position) => {
      const outcome = await undo.apply(chunk);
      killPoint('written');
      progress.ledger.read += chunk.length;
      progress.ledger.updated += outcome.restored;
      progress.ledger.unchanged += chunk.length - outcome.restored - outcome.kept.length;
      progress.ledger.rejected += outcome.kept.length;
      await state.commitBatch(own.id, {
        object: JOURNAL_OBJECT,
        pass: 1,
        checkpoint: { object: JOURNAL_OBJECT, pass: 1, position: JSON.stringify(position), done: false, ledger: { ...progress.ledger } },
        rejects: outcome.kept.map(keptReject),
      });
      killPoint('committed');
    });
    const tables = options.keepTables ? { dropped: [], kept: createdTables(run) } : await undo.dropCreatedTables(createdTables(run));
    await state.finishRun(own.id, 'completed', {
      rollbackOf: runId,
      restored: progress.ledger.updated,
      kept: progress.ledger.rejected,
      droppedTables: tables.dropped,
      keptTables: tables.kept,
    });
  } catch (err) {
    await state.finishRun(own.id, 'failed', { rollbackOf: runId, error: err instanceof Error ? err.message : String(err) });
    throw err;
  } finally {
    await undo.writer.close();
  }
  return summaryOf(state, runId, (await state.getRun(own.id))!);
}

/** Where a rollback stands: the journal position reached (entries of seqs above `seq`, and `count` of `seq`'s, are undone) and its counts. */
interface Progress {
  position?: readonly [seq: number, count: number];
  readonly ledger: LedgerCounts;
}

async function progressOf(state: StateStore, rollbackRunId: string): Promise<Progress> {
  const checkpoint = (await state.getCheckpoints(rollbackRunId)).find((c) => c.object === JOURNAL_OBJECT);
  if (!checkpoint) return { ledger: { read: 0, created: 0, updated: 0, unchanged: 0, rejected: 0, filtered: 0 } };
  return { position: JSON.parse(checkpoint.position) as [number, number], ledger: { ...checkpoint.ledger } };
}

/**
 * Walks the journal newest first from the position reached, in chunks that can be undone
 * together (see `chunks`); `step` applies one and is given the position after it.
 */
async function walkJournal(
  state: StateStore,
  runId: string,
  progress: Progress,
  pageSize: number,
  /** Entries to undo (a retry takes only the rows an earlier rollback kept); the others are passed over. */
  wanted: (entry: StoredJournal) => boolean,
  step: (chunk: readonly StoredJournal[], position: readonly [number, number]) => Promise<void>,
): Promise<void> {
  let [seq, count] = progress.position ?? [Number.POSITIVE_INFINITY, 0];
  // The first page starts AT the position's seq (some of its entries may be left); later pages after the previous page's last seq.
  let afterSeq = Number.isFinite(seq) ? seq + 1 : undefined;
  for (;;) {
    const page = await state.journal(runId, { reverse: true, limit: pageSize, ...(afterSeq !== undefined ? { afterSeq } : {}) });
    if (page.length === 0) return;
    afterSeq = page[page.length - 1].seq;
    const skip = page.findIndex((e, i) => e.seq !== seq || i >= count);
    // Each entry's position counts the entries passed over too, so a resume skips exactly them.
    const positions = new Map<StoredJournal, [number, number]>();
    for (const e of skip < 0 ? [] : page.slice(skip)) {
      count = e.seq === seq ? count + 1 : 1;
      seq = e.seq;
      positions.set(e, [seq, count]);
    }
    for (const chunk of chunks([...positions.keys()].filter(wanted))) await step(chunk, positions.get(chunk[chunk.length - 1])!);
  }
}

/** The undo of journal chunks against one target. */
class Undo {
  /** Rows kept so far (`rowId`): older entries of a kept row are not undone either. */
  readonly kept = new Set<string>();
  private readonly journalColumns: Readonly<Record<string, readonly string[]>>;

  constructor(
    private readonly target: Connector,
    private readonly schema: DatabaseSchema,
    readonly writer: Writer,
    run: RunRecord,
    private readonly force: boolean,
  ) {
    this.journalColumns = (run.options.journalColumns ?? {}) as Readonly<Record<string, readonly string[]>>;
  }

  /** Undoes one chunk (one table, one kind of change, no key twice); returns the rows restored and the rows newly kept. */
  async apply(chunk: readonly StoredJournal[]): Promise<{ restored: number; kept: KeptRow[] }> {
    const named = [...(this.journalColumns[chunk[0].object] ?? []), ...chunk.flatMap(imageColumns)];
    const table = tableOf(this.schema, chunk[0].table, named, this.target.capabilities.maxIdentifierLength);
    const current = await currentRows(this.target, table, chunk);
    const kept: KeptRow[] = [];
    const keep = (row: KeptRow) => {
      kept.push(row);
      this.kept.add(rowId(row.table, row.key));
    };
    const deletes: StoredJournal[] = [];
    const restores: StoredJournal[] = [];
    for (const e of chunk) {
      if (this.kept.has(rowId(table.name, e.targetKey))) continue;
      const verdict = judge(e, current.get(e.targetKey), this.journalColumns, this.force);
      if (verdict === 'delete') deletes.push(e);
      else if (verdict === 'restore') restores.push(e);
      else if (verdict !== 'done') keep({ table: table.name, key: e.targetKey, reason: verdict, detail: describe(verdict) });
    }
    let restored = 0;
    const deleted = await isolated(deletes.length, async (indices) => {
      await this.writer.deleteByKeys(
        table.name,
        table.primaryKey,
        indices.map((i) => typedKey(table, deletes[i].targetKey)),
      );
    });
    restored += deleted.written.length;
    for (const f of deleted.failed) {
      const key = deletes[f.index].targetKey;
      const holders = await this.referencing(table, current.get(key)!);
      keep({
        table: table.name,
        key,
        reason: holders.length > 0 ? 'still_referenced' : 'target_rejected',
        detail: holders.length > 0 ? `referenced by ${holders.join(', ')}` : f.error.message,
      });
    }
    for (const group of groupByColumns(restores.map((e) => ({ entry: e, row: JSON.parse(e.prior ?? '{}') as RowText })))) {
      const written = await writeIsolated(
        this.writer,
        table.name,
        group.columns,
        group.items.map((r) => typedRow(table, group.columns, r.row)),
        { mode: 'upsert', key: table.primaryKey },
      );
      restored += written.written.length;
      for (const f of written.failed) {
        keep({ table: table.name, key: group.items[f.index].entry.targetKey, reason: 'target_rejected', detail: f.error.message });
      }
    }
    return { restored, kept };
  }

  /** Up to three rows per foreign key that reference `row` of `table`, as `table key` texts. */
  private async referencing(table: TableSchema, row: RowText): Promise<string[]> {
    const out: string[] = [];
    for (const child of this.schema.tables) {
      for (const fk of child.foreignKeys.filter((k) => k.referencedTable === table.name)) {
        const values = fk.referencedColumns.map((c) => typed(table, c, row[c] ?? null));
        if (values.some((v) => v === null)) continue;
        const found = await this.target.readByKeys(child.name, fk.columns, [values], child.primaryKey);
        const keyIdx = child.primaryKey.map((k) => found.columns.indexOf(k));
        for (const r of found.rows.slice(0, 3)) out.push(`${child.name} ${encodeKey(keyIdx.map((i) => r[i]))}`);
      }
    }
    return out;
  }

  /**
   * Drops the tables the run created that are empty now, children first; a table still holding
   * rows is kept (and named), as is one the target cannot drop.
   */
  async dropCreatedTables(created: readonly string[]): Promise<{ dropped: string[]; kept: string[] }> {
    const existing = new Set((await this.target.introspect()).tables.map((t) => t.name));
    const dropped: string[] = [];
    const kept: string[] = [];
    for (const table of [...created].reverse()) {
      if (!existing.has(table)) continue;
      if (this.writer.dropTables && (await this.target.count(table)) === 0) dropped.push(table);
      else kept.push(table);
    }
    await this.writer.dropTables?.(dropped);
    return { dropped, kept };
  }
}

/**
 * What undoing an entry takes, from the row as it is now:
 *   - created (insert): absent → done (never written, or undone already); as the run left it
 *     (its digest or after-image) → delete; else changed since the run → kept, or deleted with `force`;
 *   - updated: equal to its prior image → done; as the run left it → restore; absent → deleted
 *     since the run, reported: its image may hold only the columns the run wrote, so it is never
 *     re-inserted (that made all-NULL ghost rows); else changed → kept, or restored with `force`;
 *   - deleted: absent → re-insert its prior image (a whole row); equal to it → done; else
 *     someone re-created it → kept, or overwritten with `force`.
 */
function judge(
  entry: StoredJournal,
  now: RowText | undefined,
  journalColumns: Readonly<Record<string, readonly string[]>>,
  force: boolean,
): Verdict {
  const orForced = (verdict: 'delete' | 'restore'): Verdict => (force ? verdict : 'changed_since_run');
  if (entry.action === 'insert') {
    if (!now) return 'done';
    return leftAsRunLeftIt(now, entry, journalColumns) ? 'delete' : orForced('delete');
  }
  if (entry.action === 'update') {
    if (!now) return 'deleted_since_run';
    if (holds(now, entry.prior)) return 'done';
    return leftAsRunLeftIt(now, entry, journalColumns) ? 'restore' : orForced('restore');
  }
  if (!now) return 'restore';
  return holds(now, entry.prior) ? 'done' : orForced('restore');
}

function describe(reason: KeptReason): string {
  if (reason === 'changed_since_run') return 'changed since the run (--force overwrites it)';
  if (reason === 'deleted_since_run') return 'deleted since the run: not re-inserted';
  return reason;
}

/** A kept row, stored as a reject of the rollback run (object: the table, key: the target key). */
function keptReject(row: KeptRow): RejectRecord {
  return { object: row.table, sourceKey: row.key, reason: row.reason, code: 'CRM_E6015', message: row.detail };
}

/** A finished (or already finished) rollback, from its run record and its rejects. */
async function summaryOf(state: StateStore, runId: string, own: RunRecord): Promise<RollbackResult> {
  const summary = own.summary ?? {};
  const kept = (await state.listRejects(own.id)).map((r) => ({
    table: r.object,
    key: r.sourceKey,
    reason: r.reason as KeptReason,
    detail: r.message,
  }));
  return {
    runId,
    rollbackRunId: own.id,
    restored: Number(summary.restored ?? 0),
    kept,
    droppedTables: (summary.droppedTables ?? []) as string[],
    keptTables: (summary.keptTables ?? []) as string[],
    forced: own.options.force === true,
  };
}

function createdTables(run: RunRecord): string[] {
  return (run.options.createdTables ?? []) as string[];
}

function rowId(table: string, key: string): string {
  return `${table}\u0000${key}`;
}

/**
 * Splits a page (newest entry first) into runs that can be applied together: same table, same
 * kind of change, and no key twice — a key that appears again (a row updated by pass 2 after
 * pass 1 created it) starts a new run, so entries are undone strictly newest first.
 */
function chunks(entries: readonly StoredJournal[]): StoredJournal[][] {
  const out: StoredJournal[][] = [];
  let chunk: StoredJournal[] = [];
  let keys = new Set<string>();
  const kind = (e: StoredJournal) => (e.action === 'insert' ? 'delete' : 'restore');
  for (const e of entries) {
    const head = chunk[0];
    if (head && (head.table !== e.table || kind(head) !== kind(e) || keys.has(e.targetKey))) {
      out.push(chunk);
      chunk = [];
      keys = new Set();
    }
    chunk.push(e);
    keys.add(e.targetKey);
  }
  if (chunk.length > 0) out.push(chunk);
  return out;
}

/** Rows with the same columns, to be written together. */
function groupByColumns<T extends { row: RowText }>(items: readonly T[]): { columns: string[]; items: T[] }[] {
  const out = new Map<string, { columns: string[]; items: T[] }>();
  for (const item of items) {
    const columns = Object.keys(item.row);
    const k = columns.join('\u0000');
    const g = out.get(k);
    if (g) g.items.push(item);
    else out.set(k, { columns, items: [item] });
  }
  return [...out.values()];
}

/** The columns a journal entry's row images name (a digest names none). */
function imageColumns(entry: StoredJournal): string[] {
  return [entry.prior, entry.after].flatMap((image) => (image && !isRowDigest(image) ? Object.keys(JSON.parse(image) as RowText) : []));
}

/** The journal's table, with it and the columns its entries name under their logical names (see `logicalSchema`). */
function tableOf(schema: DatabaseSchema, name: string, columns: readonly string[], maxIdentifierBytes: number): TableSchema {
  const t = logicalSchema(schema, new Map([[name, columns]]), maxIdentifierBytes).tables.find((x) => x.name === name);
  if (!t) throw new CrmError('CRM_S3001', `target table ${name} no longer exists`, { location: { table: name } });
  return t;
}

async function currentRows(target: Connector, table: TableSchema, entries: readonly StoredJournal[]): Promise<Map<string, RowText>> {
  const keys = [...new Set(entries.map((e) => e.targetKey))].map((k) => typedKey(table, k));
  // Columns named as the journal names them: a column stored under a shortened identifier too.
  const batch = await target.readByKeys(
    table.name,
    table.primaryKey,
    keys,
    table.columns.map((c) => c.name),
  );
  const types = batch.columns.map((c) => table.columns.find((x) => x.name === c)!.type);
  const keyIdx = table.primaryKey.map((k) => batch.columns.indexOf(k));
  const out = new Map<string, RowText>();
  for (const r of batch.rows) {
    out.set(
      encodeKey(keyIdx.map((i) => r[i])),
      Object.fromEntries(batch.columns.map((c, i) => [c, r[i] === null ? null : toCanonicalText(r[i], types[i])])),
    );
  }
  return out;
}

/**
 * Whether the row still holds what the run left: the after-image's columns (JSON), or for rows
 * the run created, the digest over the object's journal columns.
 */
function leftAsRunLeftIt(now: RowText, entry: StoredJournal, journalColumns: Readonly<Record<string, readonly string[]>>): boolean {
  if (!entry.after) return false;
  if (isRowDigest(entry.after)) {
    const columns = journalColumns[entry.object];
    return columns !== undefined && rowDigest(columns.map((c) => now[c] ?? null)) === entry.after;
  }
  return holds(now, entry.after);
}

/** Whether the row holds every column of a JSON image. */
function holds(now: RowText, image: string | undefined): boolean {
  if (image === undefined) return false;
  return Object.entries(JSON.parse(image) as RowText).every(([c, v]) => now[c] === v);
}

function typedKey(table: TableSchema, encoded: string): Value[] {
  const parts = decodeKey(encoded);
  return table.primaryKey.map((k, i) => typed(table, k, parts[i]));
}

function typedRow(table: TableSchema, columns: readonly string[], row: RowText): Value[] {
  return columns.map((c) => typed(table, c, row[c] ?? null));
}

function typed(table: TableSchema, column: string, text: string | null): Value {
  if (text === null) return null;
  const type = table.columns.find((c) => c.name === column)?.type ?? { kind: 'text' as const };
  return parseCanonicalText(text, type);
}
