import type { Connector, KeyRange, ReadBatch, ReadOptions, ReadReject } from '../../connectors/contract.js';
import { CrmError } from '../../core/errors/index.js';
import { decodeKey, encodeKey } from '../../core/keys.js';
import type { Row, RowBatch, Value } from '../../core/types.js';
import {
  ambiguityMessage,
  type LookupAmbiguity,
  lookupOrder,
  type OrderColumn,
  pickRelated,
  type RelatedCandidate,
} from '../../mapping/lookup-pick.js';
import type { ObjectPlan } from '../../mapping/plan/plan-types.js';
import type { LookupSpec } from '../../mapping/project/project-schema.js';
import { lookupColumn, looseText } from '../../mapping/row-mapper.js';
import { DuplicateIndex, type DuplicateReject, type ResolvedRows, resolveBatch } from './duplicate-keys.js';

/** A lookup field of a row whose source value matches several different values (see `pickRelated`). */
export interface AmbiguousLookup {
  readonly field: string;
  /** The value looked up (the `from` value or the row's key). */
  readonly matched: Value;
  readonly ambiguity: LookupAmbiguity;
}

/** An ambiguous lookup that rejects its row: the field, the value looked up and the reject message (candidates listed). */
export interface RejectingLookup {
  readonly field: string;
  readonly matched: Value;
  readonly message: string;
}

/**
 * The first lookup among `fields` that rejects the row (`onAmbiguous` reject, the default);
 * undefined when none does. Migrate's passes and verify's expected rows decide alike here.
 */
export function rejectingLookup(
  object: ObjectPlan,
  found: readonly AmbiguousLookup[] | undefined,
  fields: (field: string) => boolean,
): RejectingLookup | undefined {
  const a = found?.find((x) => x.ambiguity.policy === 'reject' && fields(x.field));
  if (!a) return undefined;
  const spec = object.fields.find((f) => f.target === a.field)!.lookup!;
  return { field: a.field, matched: a.matched, message: ambiguityMessage(spec, a.matched, a.ambiguity) };
}

/** A batch of source rows with everything the mapper needs: joined side-table columns and lookup values. */
export interface SourceBatch {
  readonly columns: readonly string[];
  readonly rows: Row[];
  /**
   * The rows (by identity, so it survives filtering the batch) with lookup fields that matched
   * several values: such a field holds NULL; the consumer rejects the row or keeps the NULL (`policy`).
   */
  readonly ambiguous: ReadonlyMap<Row, readonly AmbiguousLookup[]>;
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

/**
 * The part of an object that some of its fields need: those fields, the key and the source
 * columns they read, and the side tables those come from — what pass 2 (the deferred
 * references) and `plan`'s lookup survey read instead of the whole object.
 */
export function fieldsView(object: ObjectPlan, fields: ObjectPlan['fields']): ObjectPlan {
  // A declared rule for repeated keys (first, merge) decides on all the base columns: the view
  // reads them too, so it takes the same row of a key as the whole object does.
  const columns = new Set(object.source.duplicates ? object.source.columns : object.source.key);
  for (const f of fields) {
    for (const c of f.from) columns.add(c);
    for (const c of Object.keys(f.ref?.when ?? {})) columns.add(c);
  }
  // Side tables are joined only when a field reads one of their (prefixed) columns.
  const joins = object.source.joins.filter((j) => [...columns].some((c) => c.startsWith(j.prefix)));
  for (const j of joins) for (const c of Object.values(j.on)) columns.add(c);
  return {
    ...object,
    source: { ...object.source, columns: [...columns], joins },
    target: { ...object.target, columns: fields.map((f) => f.target) },
    fields,
  };
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
): Promise<{ columns: readonly string[]; rows: Row[]; keys: string[]; ambiguous: Map<Row, AmbiguousLookup[]> }> {
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
  const related = new Map<string, Promise<Related>>();
  const lookups = object.fields.filter((f) => f.lookup);
  const orders = lookups.map((f) => lookupOrder(f.lookup!));
  const fetches = lookups.map((f, i) => {
    const { pick: _pick, onAmbiguous: _onAmbiguous, ...fetched } = f.lookup!;
    const id = JSON.stringify([f.from, fetched, orders[i]]);
    let lists = related.get(id);
    if (!lists) {
      lists = relatedValues(source, columns, rows, keys, f.from, f.lookup!, orders[i]);
      related.set(id, lists);
    }
    return lists;
  });
  const lists = await Promise.all(fetches);
  const ambiguous = new Map<Row, AmbiguousLookup[]>();
  const picked = lookups.map((f, i) => {
    const { matched, candidates } = lists[i];
    return candidates.map((c, row) => {
      const pick = pickRelated(c, f.lookup!, orders[i]);
      if (pick.ambiguous) {
        const found = { field: f.target, matched: matched[row], ambiguity: pick.ambiguous };
        const known = ambiguous.get(rows[row]);
        if (known) known.push(found);
        else ambiguous.set(rows[row], [found]);
      }
      return pick.value;
    });
  });
  for (const [i, r] of rows.entries()) for (const values of picked) r.push(values[i]);
  columns.push(...lookups.map((f) => lookupColumn(f.target)));
  return { columns, rows, keys, ambiguous };
}

/** Per source row: the value it looks up, and its related rows. */
interface Related {
  readonly matched: readonly Value[];
  readonly candidates: readonly RelatedCandidate[][];
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

/**
 * For each row, the related rows of a lookup (whose `match` column holds the row's `from` value,
 * or its key), filtered by `where`, optionally through a second table: each with the value it
 * gives and its texts in the order columns (`pickRelated` orders and picks). A second-hop key
 * that matches several rows gives one candidate per row, so a non-unique hop is seen too.
 */
async function relatedValues(
  source: Connector,
  columns: readonly string[],
  rows: readonly Row[],
  keys: readonly string[],
  from: readonly string[],
  spec: LookupSpec,
  order: readonly OrderColumn[],
): Promise<Related> {
  const fromIdx = from.length > 0 ? columns.indexOf(from[0]) : -1;
  const matched = rows.map((r, i) => (fromIdx >= 0 ? r[fromIdx] : decodeKey(keys[i])[0]));
  const related = await fetchRelated(source, spec.table, spec.match, matched, spec.where, [
    spec.through ? spec.through.from : spec.value,
    ...order.map((o) => o.column),
  ]);
  // The order columns are of the relation table; `value` one of the last table reached.
  const orderCols = order.map((o) => related.columns.indexOf(o.column));
  let valuesOf: (r: Row) => readonly Value[] = (r) => [r[related.columns.indexOf(spec.value)] ?? null];
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
    const hopMatchCol = hop.columns.indexOf(through.match);
    const hopIndex = new Map<string | null, Value[]>();
    for (const r of hop.rows) {
      const k = looseText(r[hopMatchCol]);
      const values = hopIndex.get(k);
      if (values) values.push(r[valueCol]);
      else hopIndex.set(k, [r[valueCol]]);
    }
    valuesOf = (r) => hopIndex.get(looseText(r[fromCol])) ?? [];
  }
  const matchCol = related.columns.indexOf(spec.match);
  const groups = new Map<string | null, RelatedCandidate[]>();
  for (const r of related.rows) {
    const k = looseText(r[matchCol]);
    const orderTexts = orderCols.map((i) => looseText(r[i]));
    const found = valuesOf(r).map((value) => ({ value, order: orderTexts }));
    const g = groups.get(k);
    if (g) g.push(...found);
    else groups.set(k, found);
  }
  return { matched, candidates: matched.map((m) => groups.get(looseText(m)) ?? []) };
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
