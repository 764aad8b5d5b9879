import type { CanonicalRow, Connector } from '../../connectors/contract.js';
import { toCanonicalText } from '../../core/canonical.js';
import { decodeKey, encodeKey } from '../../core/keys.js';
import type { CanonicalType, Row, TableSchema, Value } from '../../core/types.js';
import type { ObjectPlan } from '../../mapping/plan/plan-types.js';
import type { ObjectMapper } from '../../mapping/row-mapper.js';
import { deterministicUuid } from '../deterministic-uuid.js';
import type { IdResolver } from '../id-resolver.js';
import { rejectingLookup, sourceBatches } from '../migrate/source-batches.js';
import { compileTargetRules } from '../migrate/target-rules.js';
import { reasonFor } from '../reject-reasons.js';

/** A source row that is expected to be absent from the target, and why. */
export interface AccountedRow {
  readonly sourceKey: string;
  readonly reason: string;
  readonly field?: string;
}

/**
 * A link the source does not determine: the row's lookup matched several different values. Verify
 * cannot tell which one was meant; it checks that the target holds none of them, as the mapping
 * says (the row absent, or the field NULL under `onAmbiguous: null` or when the reference is
 * deferred), never that a chosen candidate is right.
 */
export interface UnprovableLink {
  readonly sourceKey: string;
  readonly field: string;
  readonly candidates: readonly string[];
  readonly expected: 'absent' | 'null';
}

/**
 * Where an expected row came from, kept for the rows that turn out to differ: its source key and
 * the text (as the report shows it) of each source column a field is mapped from, in the order of
 * `sourceColumnsOf(object)`.
 */
export interface ExpectedOrigin {
  readonly sourceKey: string;
  readonly sourceTexts: readonly (string | null)[];
}

/** What producing the expected rows found besides the rows themselves. */
export interface ExpectedSummary {
  readonly accountedFor: AccountedRow[];
  readonly unprovable: UnprovableLink[];
  /** Source rows read (the filter's rows excluded: they are counted in `filtered`). */
  readonly read: number;
  readonly filtered: number;
  /** Rows collapsed into another row with the same source key (their rule: `duplicate-keys.ts`); not in `filtered`. */
  readonly duplicates: number;
  /** Expected rows handed to the sink. */
  readonly expected: number;
}

/** An expected row (canonical target texts in the order key, columns) with its origin. */
export type ExpectedSink = (row: CanonicalRow, origin: ExpectedOrigin) => void | Promise<void>;

/** The source columns the object's fields are mapped from, each once: the layout of `ExpectedOrigin.sourceTexts`. */
export function sourceColumnsOf(object: ObjectPlan): string[] {
  return [...new Set(object.fields.flatMap((f) => f.from ?? []))];
}

export interface ExpectedRowsInput {
  readonly source: Connector;
  readonly object: ObjectPlan;
  readonly mapper: ObjectMapper;
  readonly targetTable: TableSchema;
  /** Target key columns, then the compared columns: the layout of the rows produced. */
  readonly key: readonly string[];
  readonly columns: readonly string[];
  readonly ids: IdResolver;
  /** Source keys the latest run rejected (pass 1), with their reasons: they are expected absent. */
  readonly rejected: ReadonlyMap<string, { reason: string; field?: string }>;
  /** Columns of each source table (base and joined), as `sourceBatches` needs them. */
  readonly tableColumns: ReadonlyMap<string, readonly string[]>;
  readonly batchSize: number;
}

/**
 * The source AS SEEN THROUGH THE MAPPING: every source row streamed, enriched, mapped, its key
 * generated and references remapped through the id map, and checked against the target's rules,
 * exactly as migrate does it (same `sourceBatches`, mapper, `deterministicUuid` and
 * `compileTargetRules`). Rows that cannot map, or that the latest run rejected, are expected to
 * be absent and listed as accounted for instead. Rows are handed to `sink` batch by batch, in
 * source order, and not kept: the caller decides what to hold.
 */
export async function expectedRows(input: ExpectedRowsInput, sink: ExpectedSink): Promise<ExpectedSummary> {
  const { object, mapper, targetTable } = input;
  const layout = [...input.key, ...input.columns];
  const positions = layout.map((c) => mapper.targetColumns.indexOf(c));
  const rules = compileTargetRules(targetTable, mapper.targetColumns);
  const types: CanonicalType[] = layout.map((c) => targetTable.columns.find((t) => t.name === c)!.type);
  const generatedKey = object.target.generateKey === 'uuid' ? mapper.targetColumns.indexOf(object.target.key[0]) : -1;
  const fromColumns = sourceColumnsOf(object);
  const out = { accountedFor: [] as AccountedRow[], unprovable: [] as UnprovableLink[], read: 0, filtered: 0, duplicates: 0, expected: 0 };
  let bound: ReturnType<ObjectMapper['bind']> | undefined;

  for await (const batch of sourceBatches(input.source, object, { batchSize: input.batchSize, tableColumns: input.tableColumns })) {
    const duplicates = batch.duplicates ?? { collapsed: 0, rejects: [] };
    out.read += batch.rows.length + batch.rejects.length + duplicates.collapsed + duplicates.rejects.length;
    out.duplicates += duplicates.collapsed;
    for (const r of batch.rejects) out.accountedFor.push({ sourceKey: '', reason: 'unreadable', ...(r.column ? { field: r.column } : {}) });
    // Rows of a repeated key the rule leaves out: the key's loaded row (if any) is among `rows`.
    for (const d of duplicates.rejects) out.accountedFor.push({ sourceKey: d.sourceKey, reason: reasonFor(d.code) });
    bound ??= mapper.bind(batch.columns);
    const fromIndexes = fromColumns.map((c) => batch.columns.indexOf(c));
    const mapped: { sourceKey: string; row: Row; values: Value[] }[] = [];
    for (const [i, row] of batch.rows.entries()) {
      const sourceKey = batch.keys[i];
      const rejected = input.rejected.get(sourceKey);
      // Pass 1 rejects the row for an ambiguous lookup unless the lookup is deferred (then only its reference stays NULL).
      const ambiguous = rejectingLookup(object, batch.ambiguous.get(row), (f) => !object.deferredFields.includes(f));
      for (const a of batch.ambiguous.get(row) ?? []) {
        out.unprovable.push({
          sourceKey,
          field: a.field,
          candidates: a.ambiguity.candidates,
          expected: ambiguous ? 'absent' : 'null',
        });
      }
      const result = bound(row);
      if (rejected || ambiguous || result.failure) {
        const why = rejected ??
          (ambiguous ? { reason: 'ambiguous_reference', field: ambiguous.field } : undefined) ?? {
            reason: result.failure!.reason,
            field: result.failure!.field,
          };
        out.accountedFor.push({ sourceKey, reason: why.reason, ...(why.field ? { field: why.field } : {}) });
        continue;
      }
      if (generatedKey >= 0) result.values[generatedKey] = deterministicUuid(object.name, sourceKey);
      mapped.push({ sourceKey, row, values: result.values });
    }
    const unresolved = await remapThroughIdMap(input.ids, mapper, mapped);
    for (const m of mapped) {
      const missingParent = unresolved.get(m);
      const violation = missingParent ? undefined : rules(m.values);
      if (missingParent || violation) {
        out.accountedFor.push({
          sourceKey: m.sourceKey,
          reason: missingParent ? 'missing_parent' : violation!.reason,
          field: missingParent ?? violation!.column,
        });
        continue;
      }
      const texts = positions.map((p, i) => toCanonicalText(m.values[p], types[i]));
      const key = texts.slice(0, input.key.length).map((k) => k ?? '');
      out.expected++;
      await sink(
        { key, values: texts.slice(input.key.length) },
        { sourceKey: m.sourceKey, sourceTexts: fromIndexes.map((i) => sourceValueText(i < 0 ? undefined : m.row[i])) },
      );
    }
  }
  if (object.source.filter) {
    const table = object.source.table;
    out.filtered = (await input.source.count(table)) - (await input.source.count(table, { where: object.source.filter }));
  }
  return out;
}

/** A source value as text for the report: bytes as hex, lists as JSON, the rest as written. */
function sourceValueText(v: Value | undefined): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (Array.isArray(v)) return JSON.stringify(v);
  return String(v);
}

/**
 * References hold the parent's SOURCE key; the target holds the parent's target key from the id
 * map. A parent the map lacks gives NULL where the mapping allows it (onMissing null, and deferred
 * references, which pass 2 leaves empty), otherwise the row is expected rejected (missing_parent).
 * Returns the rows with an unresolvable reference, and the field.
 */
async function remapThroughIdMap(
  ids: IdResolver,
  mapper: ObjectMapper,
  rows: readonly { values: Value[] }[],
): Promise<Map<{ values: Value[] }, string>> {
  const unresolved = new Map<{ values: Value[] }, string>();
  for (const { index, field } of mapper.references) {
    const ref = field.ref!;
    const live = rows.filter((r) => !unresolved.has(r) && r.values[index] !== null);
    const found = await ids.lookup(
      ref.object,
      live.map((r) => encodeKey([r.values[index]])),
    );
    for (const r of live) {
      const target = found.get(encodeKey([r.values[index]]));
      if (target !== undefined) r.values[index] = decodeKey(target)[0];
      else if (ref.onMissing === 'null' || ref.deferred) r.values[index] = null;
      else unresolved.set(r, field.target);
    }
  }
  return unresolved;
}
