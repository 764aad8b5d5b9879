import type { Connector } from '../connectors/contract.js';
import { parseCanonicalText, toCanonicalText } from '../core/canonical.js';
import { CrmError } from '../core/errors/index.js';
import { logicalSchema } from '../core/identifiers.js';
import { decodeKey, encodeKey } from '../core/keys.js';
import type { DatabaseSchema, TableSchema, Value } from '../core/types.js';
import type { StateStore, StoredJournal } from '../state/state-store.js';
import { isRowDigest, rowDigest } from './row-digest.js';

export interface RollbackResult {
  readonly runId: string;
  /** Rows restored: created rows deleted, updated rows put back, deleted rows re-inserted. */
  readonly restored: number;
  /** Rows someone else changed since the run, left alone (unless forced). */
  readonly conflicts: readonly { readonly table: string; readonly key: string; readonly action: string }[];
  readonly forced: boolean;
}

type RowText = Record<string, string | null>;

/**
 * Returns the target to its state before a run, from the run's journal read backwards: rows the
 * run created are deleted, rows it updated get their prior values back, rows it deleted are
 * re-inserted. A row whose current values differ from what the run left was changed by someone
 * else since: it is reported and left alone, unless `force`.
 */
export async function rollback(options: {
  readonly runId: string;
  readonly target: Connector;
  readonly state: StateStore;
  readonly force?: boolean;
  readonly pageSize?: number;
}): Promise<RollbackResult> {
  const { runId, target, state } = options;
  const run = await state.getRun(runId);
  if (!run) throw new CrmError('CRM_E6003', `no run ${runId}`);
  if (run.dryRun) throw new CrmError('CRM_E6003', `run ${runId} was a dry run: it wrote nothing to roll back`);
  const schema = await target.introspect();
  const journalColumns = (run.options.journalColumns ?? {}) as Readonly<Record<string, readonly string[]>>;
  const writer = await target.writer();
  const conflicts: { table: string; key: string; action: string }[] = [];
  let restored = 0;
  let afterSeq: number | undefined;
  try {
    for (;;) {
      const page = await state.journal(runId, {
        reverse: true,
        limit: options.pageSize ?? 1000,
        ...(afterSeq !== undefined ? { afterSeq } : {}),
      });
      if (page.length === 0) break;
      afterSeq = page[page.length - 1].seq;
      for (const chunk of chunks(page)) {
        const named = [...(journalColumns[chunk[0].object] ?? []), ...chunk.flatMap(imageColumns)];
        const table = tableOf(schema, chunk[0].table, named, target.capabilities.maxIdentifierLength);
        const key = table.primaryKey;
        const current = await currentRows(target, table, chunk);
        const deletes: Value[][] = [];
        const restores: { columns: string[]; values: Value[] }[] = [];
        for (const e of chunk) {
          const now = current.get(e.targetKey);
          const changed = e.action === 'delete' ? now !== undefined : !leftAsRunLeftIt(now, e, journalColumns);
          if (changed && !options.force) {
            conflicts.push({ table: table.name, key: e.targetKey, action: e.action });
            continue;
          }
          if (e.action === 'insert') deletes.push(typedKey(table, key, e.targetKey));
          else restores.push(typedRow(table, JSON.parse(e.prior ?? '{}') as RowText));
        }
        if (deletes.length > 0) restored += await writer.deleteByKeys(table.name, key, deletes);
        for (const r of groupByColumns(restores)) {
          restored += await writer.write(table.name, { columns: r.columns, rows: r.rows }, { mode: 'upsert', key });
        }
      }
    }
  } finally {
    await writer.close();
  }
  return { runId, restored, conflicts, forced: options.force ?? false };
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

function groupByColumns(rows: readonly { columns: string[]; values: Value[] }[]): { columns: string[]; rows: Value[][] }[] {
  const out = new Map<string, { columns: string[]; rows: Value[][] }>();
  for (const r of rows) {
    const k = r.columns.join('\u0000');
    const g = out.get(k);
    if (g) g.rows.push(r.values);
    else out.set(k, { columns: r.columns, rows: [r.values] });
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
  const keys = [...new Set(entries.map((e) => e.targetKey))].map((k) => typedKey(table, table.primaryKey, k));
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
function leftAsRunLeftIt(
  now: RowText | undefined,
  entry: StoredJournal,
  journalColumns: Readonly<Record<string, readonly string[]>>,
): boolean {
  if (!now || !entry.after) return now === undefined && !entry.after;
  if (isRowDigest(entry.after)) {
    const columns = journalColumns[entry.object];
    return columns !== undefined && rowDigest(columns.map((c) => now[c] ?? null)) === entry.after;
  }
  const after = JSON.parse(entry.after) as RowText;
  return Object.entries(after).every(([c, v]) => now[c] === v);
}

function typedKey(table: TableSchema, key: readonly string[], encoded: string): Value[] {
  const parts = decodeKey(encoded);
  return key.map((k, i) => typed(table, k, parts[i]));
}

function typedRow(table: TableSchema, row: RowText): { columns: string[]; values: Value[] } {
  const columns = Object.keys(row);
  return { columns, values: columns.map((c) => typed(table, c, row[c])) };
}

function typed(table: TableSchema, column: string, text: string | null): Value {
  if (text === null) return null;
  const type = table.columns.find((c) => c.name === column)?.type ?? { kind: 'text' as const };
  return parseCanonicalText(text, type);
}
