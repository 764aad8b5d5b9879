import type { Connector, KeyRange, ReadBatch, ReadOptions, ReadReject } from '../../connectors/contract.js';
import { CrmError } from '../../core/errors/index.js';
import { decodeKey, encodeKey } from '../../core/keys.js';
import type { Row, RowBatch, Value } from '../../core/types.js';
import type { ObjectPlan } from '../../mapping/plan/plan-types.js';
import type { LookupSpec } from '../../mapping/project/project-schema.js';
import { lookupColumn, looseText } from '../../mapping/row-mapper.js';
import { DuplicateIndex, type DuplicateReject, type ResolvedRows, resolveBatch } from './duplicate-keys.js';

/** A batch of source rows with everything the mapper needs: joined side-table columns and lookup values. */
export interface SourceBatch {
  readonly columns: readonly string[];
  readonly rows: Row[];
  /** encodeKey of each row's source key, parallel to rows. */
  readonly keys: readonly string[];
  readonly lines?: readonly number[];
  readonly rejects: readonly ReadReject[];
  /** Where the next read resumes: the last source key (keyed sources) or the records consumed (files). */
  readonly position: string;
  /**
   * Rows of repeated source keys taken out by the object's rule (`duplicate-keys.ts`): collapsed
   * into the row loaded for their key, or rejected. Read, but not in `rows`.
   */
  readonly duplicates?: { readonly collapsed: number; readonly rejects: readonly DuplicateReject[] };
}

export interface SourceBatchOptions {
  readonly after?: string;
  /** Keyed sources: the last key to read (`encodeKey` text, inclusive), for one key-range chunk of a table. */
  readonly upTo?: string;
  readonly batchSize: number;
  readonly signal?: AbortSignal;
  /** Columns of each source table (from introspection): which mapped columns the base table holds, and the side tables' layout. */
  readonly tableColumns: ReadonlyMap<string, readonly string[]>;
}

/**
 * Streams an object's source rows in key order from a checkpoint, enriched batch by batch with
 * the joined side tables (`accounts_cstm` on `id_c = id`) and the lookup fields (the email
 * relation table), each fetched with one `readByKeys` per batch, never row by row. Rows that
 * share a source key are resolved first, by the object's rule (see `duplicate-keys.ts`).
 */
export async function* sourceBatches(source: Connector, object: ObjectPlan, options: SourceBatchOptions): AsyncGenerator<SourceBatch> {
  const batches = source.capabilities.keyRanges ? keyedBatches(source, object, options) : fileBatches(source, object, options);
  for await (const { batch, resolved, position } of batches) {
    const enriched = await enrich(source, object, { columns: batch.columns, rows: resolved.rows }, resolved.keys, options.tableColumns);
    yield {
      ...enriched,
      rejects: batch.rejects ?? [],
      position,
      ...(resolved.lines ? { lines: resolved.lines } : {}),
      duplicates: { collapsed: resolved.collapsed, rejects: resolved.rejects },
    };
  }
}

/** A batch as read, its rows after the rule for repeated keys, and where a resume continues after it. */
interface ReadStep {
  readonly batch: ReadBatch;
  readonly resolved: ResolvedRows;
  readonly position: string;
}

function readOptions(object: ObjectPlan, options: SourceBatchOptions): ReadOptions {
  return {
    columns: baseColumns(object, options.tableColumns),
    batchSize: options.batchSize,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(object.source.filter ? { where: object.source.filter } : {}),
  };
}

/**
 * A keyed source, read in key order: the rows of one key are adjacent, and a batch never ends
 * inside a key (the rows of the batch's last key wait for the next batch), so every batch holds
 * all the rows of its keys and its position (its last key) never splits one — on a resume, in a
 * key-range chunk (whose bounds are keys) or not.
 */
async function* keyedBatches(source: Connector, object: ObjectPlan, options: SourceBatchOptions): AsyncGenerator<ReadStep> {
  const rule = object.source.duplicates ?? 'reject';
  const reads = source.read(object.source.table, { ...readOptions(object, options), orderBy: object.source.key, ...keyRangeOf(options) });
  let held: { rows: Row[]; keys: string[]; rejects: ReadReject[] } = { rows: [], keys: [], rejects: [] };
  let position = options.after ?? '';
  const step = (columns: readonly string[], rows: Row[], keys: string[], rejects: ReadReject[]): ReadStep => {
    position = keys[keys.length - 1] ?? position;
    return { batch: { columns, rows, rejects }, resolved: resolveBatch(rows, keys, columns, rule), position };
  };
  let columns: readonly string[] = [];
  for await (const batch of reads) {
    columns = batch.columns;
    const rows = [...held.rows, ...batch.rows];
    const keys = [...held.keys, ...keysOf(object, batch)];
    const rejects = [...held.rejects, ...(batch.rejects ?? [])];
    let cut = keys.length;
    while (cut > 0 && keys[cut - 1] === keys[keys.length - 1]) cut--;
    held = { rows: rows.slice(cut), keys: keys.slice(cut), rejects: cut === 0 ? rejects : [] };
    if (cut > 0) yield step(columns, rows.slice(0, cut), keys.slice(0, cut), rejects);
  }
  if (held.rows.length > 0 || held.rejects.length > 0) yield step(columns, held.rows, held.keys, held.rejects);
}

/**
 * A file: read in file order, resumed by records consumed. Where keys repeat, the rule needs every
 * row of a key, so a `DuplicateIndex` is built first (two reads of the file), and the load reads
 * from the start, counting (not loading) the rows a resume skips.
 */
async function* fileBatches(source: Connector, object: ObjectPlan, options: SourceBatchOptions): AsyncGenerator<ReadStep> {
  const rule = object.source.duplicates ?? 'reject';
  const after = Number(options.after ?? 0);
  const read = (skip: number) => source.read(object.source.table, { ...readOptions(object, options), skip });
  const index = await DuplicateIndex.build(async function* () {
    for await (const batch of read(0)) yield { rows: batch.rows, keys: keysOf(object, batch) };
  });
  let consumed = index ? 0 : after;
  for await (const batch of read(consumed)) {
    const keys = keysOf(object, batch);
    const records = batch.rows.length + (batch.rejects?.length ?? 0);
    consumed += records;
    if (index && consumed <= after) {
      index.skip(keys);
      continue;
    }
    if (consumed - records < after) {
      throw new CrmError('CRM_X9001', `resume position ${after} of ${object.name} falls inside a batch of its source`);
    }
    const resolved = index
      ? index.resolve(batch.rows, keys, batch.columns, rule, batch.lines)
      : { rows: batch.rows, keys: [...keys], ...(batch.lines ? { lines: [...batch.lines] } : {}), collapsed: 0, rejects: [] };
    yield { batch, resolved, position: String(consumed) };
  }
}

function keysOf(object: ObjectPlan, batch: RowBatch): string[] {
  const keyIdx = object.source.key.map((k) => batch.columns.indexOf(k));
  return batch.rows.map((r) => encodeKey(keyIdx.map((i) => r[i])));
}

function keyRangeOf({ after, upTo }: SourceBatchOptions): { keyRange?: KeyRange } {
  if (!after && upTo === undefined) return {};
  return { keyRange: { ...(after ? { after: decodeKey(after) } : {}), ...(upTo !== undefined ? { upTo: decodeKey(upTo) } : {}) } };
}

/**
 * The source rows with the given keys (e.g. the rows a run rejected), in batches, enriched like
 * `sourceBatches`. Used by `migrate --retry-rejects` after the mapping was fixed.
 */
export async function* sourceRowsByKeys(
  source: Connector,
  object: ObjectPlan,
  keys: readonly string[],
  options: Omit<SourceBatchOptions, 'after'>,
): AsyncGenerator<SourceBatch> {
  for (let i = 0; i < keys.length; i += options.batchSize) {
    const chunk = keys.slice(i, i + options.batchSize).map((k) => decodeKey(k));
    const batch = await source.readByKeys(object.source.table, object.source.key, chunk, baseColumns(object, options.tableColumns));
    // Every row of each key comes in the same read: the rule for repeated keys applies as in a scan.
    const resolved = resolveBatch(batch.rows, keysOf(object, batch), batch.columns, object.source.duplicates ?? 'reject');
    const enriched = await enrich(source, object, { columns: batch.columns, rows: resolved.rows }, resolved.keys, options.tableColumns);
    yield {
      ...enriched,
      rejects: [],
      position: enriched.keys[enriched.keys.length - 1] ?? '',
      duplicates: { collapsed: resolved.collapsed, rejects: resolved.rejects },
    };
  }
}

/** The mapped columns that live in the base table (the others come from joined side tables). */
function baseColumns(object: ObjectPlan, tableColumns: ReadonlyMap<string, readonly string[]>): string[] {
  const own = tableColumns.get(object.source.table);
  return own ? object.source.columns.filter((c) => own.includes(c)) : [...object.source.columns];
}

async function enrich(
  source: Connector,
  object: ObjectPlan,
  batch: RowBatch,
  keys: string[],
  tableColumns: ReadonlyMap<string, readonly string[]>,
): Promise<{ columns: readonly string[]; rows: Row[]; keys: string[] }> {
  const columns = [...batch.columns];
  // The reader's row arrays belong to this batch: side-table and lookup values are appended to
  // them in place, never copied per join or per lookup.
  const rows = batch.rows;
  for (const join of object.source.joins) {
    columns.push(...(await joinSideTable(source, columns, rows, join, tableColumns.get(join.table) ?? [])));
  }
  // Lookups that differ only in what they pick (the first e-mail, the others) fetch once. They
  // all start before any is awaited: a lookup into a table larger than the source's cache waits
  // on random reads, and the database overlaps those of concurrent statements.
  const related = new Map<string, Promise<Value[][]>>();
  const lookups = object.fields.filter((f) => f.lookup);
  const fetches = lookups.map((f) => {
    const { pick: _pick, ...fetched } = f.lookup!;
    const id = JSON.stringify([f.from, fetched]);
    let lists = related.get(id);
    if (!lists) {
      lists = relatedValues(source, columns, rows, keys, f.from, f.lookup!);
      related.set(id, lists);
    }
    return lists;
  });
  const lists = await Promise.all(fetches);
  const picked = lookups.map((f, i) => pickFrom(lists[i], f.lookup!.pick));
  for (const [i, r] of rows.entries()) for (const values of picked) r.push(values[i]);
  columns.push(...lookups.map((f) => lookupColumn(f.target)));
  return { columns, rows, keys };
}

/** Appends the side table's columns to each row (NULLs without a match); returns their names. */
async function joinSideTable(
  source: Connector,
  columns: readonly string[],
  rows: Row[],
  join: ObjectPlan['source']['joins'][number],
  sideColumns: readonly string[],
): Promise<string[]> {
  const joined = Object.keys(join.on);
  const baseIdx = Object.values(join.on).map((c) => columns.indexOf(c));
  const wanted = sideColumns.filter((c) => !joined.includes(c));
  const keys = uniqueKeys(rows.map((r) => baseIdx.map((i) => r[i])));
  const side =
    keys.length > 0
      ? await source.readByKeys(join.table, joined, keys, [...joined, ...wanted])
      : { columns: [...joined, ...wanted], rows: [] };
  const sideKeyIdx = joined.map((c) => side.columns.indexOf(c));
  const sideValIdx = wanted.map((c) => side.columns.indexOf(c));
  const index = new Map<string, Row>();
  for (const r of side.rows) index.set(encodeKey(sideKeyIdx.map((i) => r[i])), r);
  for (const r of rows) {
    const match = index.get(encodeKey(baseIdx.map((i) => r[i])));
    for (const i of sideValIdx) r.push(match ? match[i] : null);
  }
  return wanted.map((c) => `${join.prefix}${c}`);
}

/** One lookup's pick from each row's ordered list of related values: `first` gives one value (or NULL), `rest`/`all` a list. */
function pickFrom(lists: readonly Value[][], pick: LookupSpec['pick']): Value[] {
  if (pick === 'first') return lists.map((values) => values[0] ?? null);
  return lists.map((values) => (pick === 'rest' ? values.slice(1) : values).map((v) => String(v)));
}

/**
 * For each row, the values of a lookup's related rows (whose `match` column holds the row's
 * `from` value, or its key), filtered by `where`, optionally through a second table, ordered by
 * `orderBy`; NULL values left out.
 */
async function relatedValues(
  source: Connector,
  columns: readonly string[],
  rows: readonly Row[],
  keys: readonly string[],
  from: readonly string[],
  spec: LookupSpec,
): Promise<Value[][]> {
  const fromIdx = from.length > 0 ? columns.indexOf(from[0]) : -1;
  const matchValues = rows.map((r, i) => (fromIdx >= 0 ? r[fromIdx] : decodeKey(keys[i])[0]));
  const orderBy = spec.orderBy?.replace(/^-/, '');
  const related = await fetchRelated(source, spec.table, spec.match, matchValues, spec.where, [
    spec.through ? spec.through.from : spec.value,
    ...(orderBy ? [orderBy] : []),
  ]);
  // `orderBy` names a column of the relation table; `value` one of the last table reached.
  const orderCol = orderBy ? related.columns.indexOf(orderBy) : -1;
  let pickValue: (r: Row) => Value = (r) => r[related.columns.indexOf(spec.value)] ?? null;
  if (spec.through) {
    const through = spec.through;
    const fromCol = related.columns.indexOf(through.from);
    const hop = await fetchRelated(
      source,
      through.table,
      through.match,
      related.rows.map((r) => r[fromCol]),
      through.where,
      [spec.value],
    );
    const valueCol = hop.columns.indexOf(spec.value);
    const hopIndex = new Map(hop.rows.map((r) => [looseText(r[hop.columns.indexOf(through.match)]), r[valueCol]]));
    pickValue = (r) => hopIndex.get(looseText(r[fromCol])) ?? null;
  }
  const matchCol = related.columns.indexOf(spec.match);
  const groups = new Map<string | null, Row[]>();
  for (const r of related.rows) {
    const k = looseText(r[matchCol]);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  const descending = spec.orderBy?.startsWith('-') ?? false;
  return matchValues.map((m) => {
    const group = [...(groups.get(looseText(m)) ?? [])];
    if (orderCol >= 0) {
      group.sort((a, b) => {
        const x = looseText(a[orderCol]) ?? '';
        const y = looseText(b[orderCol]) ?? '';
        return descending ? y.localeCompare(x) : x.localeCompare(y);
      });
    }
    return group.map(pickValue).filter((v) => v !== null);
  });
}

async function fetchRelated(
  source: Connector,
  table: string,
  match: string,
  values: readonly Value[],
  where: Readonly<Record<string, string | number | boolean | null>> | undefined,
  wanted: readonly string[],
): Promise<{ columns: readonly string[]; rows: Row[] }> {
  // Only the columns the lookup uses are read: relation tables can be wide.
  const columns = [...new Set([match, ...Object.keys(where ?? {}), ...wanted])];
  const keys = uniqueKeys(values.filter((v) => v !== null).map((v) => [v]));
  if (keys.length === 0) return { columns, rows: [] };
  const batch = await source.readByKeys(table, [match], keys, columns);
  if (!where) return { columns: batch.columns, rows: batch.rows };
  const checks = Object.entries(where).map(([c, v]) => ({ i: batch.columns.indexOf(c), text: looseText(v) }));
  return { columns: batch.columns, rows: batch.rows.filter((r) => checks.every((c) => looseText(r[c.i]) === c.text)) };
}

function uniqueKeys(keys: readonly (readonly Value[])[]): Value[][] {
  const seen = new Map<string, Value[]>();
  for (const k of keys) if (!k.some((v) => v === null)) seen.set(encodeKey(k), [...k]);
  return [...seen.values()];
}
