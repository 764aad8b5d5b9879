import type { ChecksumColumn, Connector } from '../../connectors/contract.js';
import { CrmError, isCrmError } from '../../core/errors/index.js';
import { encodeKey } from '../../core/keys.js';
import type { DatabaseSchema, TableSchema, Value } from '../../core/types.js';
import type { ObjectPlan, Plan } from '../../mapping/plan/plan-types.js';
import { compileObjectMapper } from '../../mapping/row-mapper.js';
import type { TransformContext } from '../../mapping/transforms/transform.js';
import type { StateStore } from '../../state/state-store.js';
import { IdResolver } from '../id-resolver.js';
import { type AccountedRow, expectedRows } from './expected-rows.js';
import { type HashDiffOptions, hashDiff } from './hash-diff.js';
import { keyComparator } from './key-order.js';
import { MemoryChecksum } from './memory-checksum.js';
import { openSide } from './open-side.js';

export type RowTexts = Readonly<Record<string, string | null>>;

export interface FieldMismatch {
  readonly field: string;
  /** The source value(s) the field is mapped from, as text (several for a multi-column transform). */
  readonly source: string | null;
  readonly expected: string | null;
  readonly actual: string | null;
}

export interface ObjectVerification {
  readonly object: string;
  readonly table: string;
  readonly status: 'equal' | 'different' | 'failed';
  readonly key: readonly string[];
  /** Compared target columns (the key excluded). */
  readonly columns: readonly string[];
  readonly counts: { readonly sourceRead: number; readonly filtered: number; readonly expected: number; readonly target: number };
  /** Source rows expected to be absent: rejected by the latest run, or unmappable. Not differences. */
  readonly accountedFor: readonly AccountedRow[];
  readonly missing: readonly { readonly key: readonly string[]; readonly sourceKey: string; readonly expected: RowTexts }[];
  readonly extra: readonly { readonly key: readonly string[]; readonly actual: RowTexts }[];
  readonly changed: readonly {
    readonly key: readonly string[];
    readonly sourceKey: string;
    readonly fields: readonly FieldMismatch[];
    /** The whole row as the mapping gives it and as the target has it (compared columns). */
    readonly expected: RowTexts;
    readonly actual: RowTexts;
  }[];
  /** True when the target's hashes were computed by its database. */
  readonly pushdown: boolean;
  readonly seconds: number;
  readonly error?: string;
}

export interface VerifyResult {
  /** The migrate run whose rejects were taken as expected absences, if any. */
  readonly baselineRun?: string;
  readonly objects: readonly ObjectVerification[];
  readonly equal: boolean;
  readonly failed: boolean;
  readonly seconds: number;
}

export interface VerifyOptions extends HashDiffOptions {
  readonly plan: Plan;
  readonly source: Connector;
  readonly target: Connector;
  readonly state: StateStore;
  /** Only these objects (default: all). */
  readonly objects?: readonly string[];
  readonly transformContext?: Omit<TransformContext, 'timeZone' | 'defaultCountry' | 'locale'>;
}

/**
 * `crmbridge verify`: for each object, the source as seen through the mapping (see
 * `expectedRows`) against the target table, by target key: counts and checksums per key-range
 * segment (the target's computed in its database where it can), bisected down to single rows.
 */
export async function verify(options: VerifyOptions): Promise<VerifyResult> {
  const started = Date.now();
  const { plan, source, target, state } = options;
  const context: TransformContext = {
    ...options.transformContext,
    timeZone: plan.source.timeZone,
    ...(plan.options.defaultCountry ? { defaultCountry: plan.options.defaultCountry } : {}),
    ...(plan.options.locale ? { locale: plan.options.locale } : {}),
  };
  const objects = plan.objects.filter((o) => !options.objects || options.objects.includes(o.name));
  const targetSchema = await target.introspect({ tables: [...new Set(objects.map((o) => o.target.table))] });
  const sourceTables = [...new Set(objects.flatMap((o) => [o.source.table, ...o.source.joins.map((j) => j.table)]))];
  const sourceSchema = await source.introspect({ tables: sourceTables });
  const tableColumns = new Map(sourceSchema.tables.map((t) => [t.name, t.columns.map((c) => c.name)]));
  const baseline = (await state.listRuns(100)).find((r) => r.kind === 'migrate' && !r.dryRun);
  const ids = new IdResolver(state, false);
  const results: ObjectVerification[] = [];
  for (const object of objects) {
    const t0 = Date.now();
    try {
      const rejected = baseline ? await rejectedInRun(state, baseline.id, object) : new Map();
      results.push(await verifyObject({ ...options, object, context, targetSchema, tableColumns, ids, rejected, started: t0 }));
    } catch (err) {
      if (!isCrmError(err)) throw err;
      results.push(failedObject(object, err, t0));
    }
  }
  return {
    ...(baseline ? { baselineRun: baseline.id } : {}),
    objects: results,
    equal: results.every((r) => r.status === 'equal'),
    failed: results.some((r) => r.status === 'failed'),
    seconds: (Date.now() - started) / 1000,
  };
}

interface ObjectInput extends VerifyOptions {
  readonly object: ObjectPlan;
  readonly context: TransformContext;
  readonly targetSchema: DatabaseSchema;
  readonly tableColumns: ReadonlyMap<string, readonly string[]>;
  readonly ids: IdResolver;
  readonly rejected: ReadonlyMap<string, { reason: string; field?: string }>;
  readonly started: number;
}

async function verifyObject(input: ObjectInput): Promise<ObjectVerification> {
  const { object, target } = input;
  const table = targetTableOf(input.targetSchema, object);
  const mapper = compileObjectMapper(object, input.context);
  const key = object.target.key;
  const columns = mapper.targetColumns.filter((c) => !key.includes(c));
  const typed = (names: readonly string[]): ChecksumColumn[] =>
    names.map((name) => ({ name, type: table.columns.find((c) => c.name === name)!.type }));
  const expected = await expectedRows({
    source: input.source,
    object,
    mapper,
    targetTable: table,
    key,
    columns,
    ids: input.ids,
    rejected: input.rejected,
    tableColumns: input.tableColumns,
    batchSize: input.plan.options.batchSize,
  });
  const compare = keyComparator(typed(key).map((k) => k.type.kind));
  const mine = new MemoryChecksum(expected.rows, compare);
  const where = sharedTableFilter(input.plan, object, target.capabilities.dialect);
  const theirs = await openSide(target, { table: table.name, key: typed(key), columns: typed(columns), ...(where ? { where } : {}) });
  try {
    const [expectedCount, targetCount] = await Promise.all([mine.checksum({}), theirs.session.checksum({})]);
    const found = await hashDiff(
      mine,
      theirs.session,
      typed(key).map((k) => k.type.kind),
      input,
    );
    const texts = (values: readonly (string | null)[]): RowTexts => Object.fromEntries(columns.map((c, i) => [c, values[i]]));
    const origin = (k: readonly string[]) => expected.origins.get(encodeKey(k));
    const sourceText = (column: string, k: readonly string[]): string | null => {
      const o = origin(k);
      const from = object.fields.find((f) => f.target === column)?.from ?? [];
      if (!o || from.length === 0) return null;
      const parts = from.map((f) => {
        const v = o.sourceRow[o.sourceColumns.indexOf(f)];
        return sourceValueText(v);
      });
      return parts.length === 1 ? parts[0] : JSON.stringify(parts);
    };
    return {
      object: object.name,
      table: table.name,
      status: found.onlyA.length + found.onlyB.length + found.changed.length === 0 ? 'equal' : 'different',
      key,
      columns,
      counts: { sourceRead: expected.read, filtered: expected.filtered, expected: expectedCount.count, target: targetCount.count },
      accountedFor: expected.accountedFor,
      missing: found.onlyA.map((r) => ({ key: r.key, sourceKey: origin(r.key)?.sourceKey ?? '', expected: texts(r.values) })),
      extra: found.onlyB.map((r) => ({ key: r.key, actual: texts(r.values) })),
      changed: found.changed.map((c) => ({
        key: c.key,
        sourceKey: origin(c.key)?.sourceKey ?? '',
        fields: c.columns.map((i) => ({ field: columns[i], source: sourceText(columns[i], c.key), expected: c.a[i], actual: c.b[i] })),
        expected: texts(c.a),
        actual: texts(c.b),
      })),
      pushdown: theirs.pushdown,
      seconds: (Date.now() - input.started) / 1000,
    };
  } finally {
    await theirs.session.close();
  }
}

/** A source value as text for the report: bytes as hex, lists as JSON, the rest as written. */
function sourceValueText(v: Value | undefined): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (Array.isArray(v)) return JSON.stringify(v);
  return String(v);
}

/** Pass-1 rejects of a run for one object. Pass-2 rejects (deferred references) left the row loaded: not absences. */
async function rejectedInRun(
  state: StateStore,
  runId: string,
  object: ObjectPlan,
): Promise<Map<string, { reason: string; field?: string }>> {
  const out = new Map<string, { reason: string; field?: string }>();
  for (let offset = 0; ; offset += 5000) {
    const page = await state.listRejects(runId, { object: object.name, limit: 5000, offset });
    if (page.length === 0) break;
    for (const r of page) {
      if (!r.sourceKey || (r.field && object.deferredFields.includes(r.field))) continue;
      out.set(r.sourceKey, { reason: r.reason, ...(r.field ? { field: r.field } : {}) });
    }
  }
  return out;
}

function targetTableOf(schema: DatabaseSchema, object: ObjectPlan): TableSchema {
  const table = schema.tables.find((t) => t.name === object.target.table);
  if (!table) {
    throw new CrmError('CRM_S3001', `target table ${object.target.table} of object ${object.name} does not exist`, {
      location: { object: object.name, table: object.target.table },
    });
  }
  return table;
}

function failedObject(object: ObjectPlan, err: CrmError, started: number): ObjectVerification {
  return {
    object: object.name,
    table: object.target.table,
    status: 'failed',
    key: object.target.key,
    columns: [],
    counts: { sourceRead: 0, filtered: 0, expected: 0, target: 0 },
    accountedFor: [],
    missing: [],
    extra: [],
    changed: [],
    pushdown: false,
    seconds: (Date.now() - started) / 1000,
    error: err.format(),
  };
}

/**
 * Objects that load into the same target table (Sugar's calls and tasks both into `tasks`) are
 * told apart by a field each sets to its own constant (`type: call` / `type: task`): the target
 * side of an object's comparison is restricted to its rows, so the other's rows are not "extra".
 */
export function sharedTableFilter(plan: Plan, object: ObjectPlan, dialect: string): string | undefined {
  const sharing = plan.objects.filter((o) => o.target.table === object.target.table && o.name !== object.name);
  if (sharing.length === 0) return undefined;
  const field = object.fields.find(
    (f) =>
      f.constant !== undefined &&
      f.constant !== null &&
      sharing.every((o) => {
        const other = o.fields.find((g) => g.target === f.target);
        return other?.constant !== undefined && other.constant !== f.constant;
      }),
  );
  if (!field) return undefined;
  const quote =
    dialect === 'mysql' ? (name: string) => `\`${name.replace(/`/g, '``')}\`` : (name: string) => `"${name.replace(/"/g, '""')}"`;
  const literal = typeof field.constant === 'string' ? `'${field.constant.replace(/'/g, "''")}'` : String(field.constant);
  return `${quote(field.target)} = ${literal}`;
}
