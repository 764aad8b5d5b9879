import type { ChecksumColumn, Connector, TextKeyRange } from '../../connectors/contract.js';
import { CrmError, isCrmError } from '../../core/errors/index.js';
import { encodeKey } from '../../core/keys.js';
import type { DatabaseSchema, TableSchema } from '../../core/types.js';
import { targetView } from '../../mapping/plan/name-map.js';
import type { ObjectPlan, Plan } from '../../mapping/plan/plan-types.js';
import { compileObjectMapper } from '../../mapping/row-mapper.js';
import type { TransformContext } from '../../mapping/transforms/transform.js';
import type { StateStore } from '../../state/state-store.js';
import { IdResolver } from '../id-resolver.js';
import { ExpectedPartitions } from './expected-partitions.js';
import { type AccountedRow, type ExpectedOrigin, expectedRows, sourceColumnsOf, type UnprovableLink } from './expected-rows.js';
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
  readonly counts: {
    readonly sourceRead: number;
    readonly filtered: number;
    /** Source rows collapsed into another with the same key (identical, or merged by the object's rule); absent = 0. */
    readonly duplicates?: number;
    readonly expected: number;
    readonly target: number;
  };
  /** Source rows expected to be absent: rejected by the latest run, or unmappable. Not differences. */
  readonly accountedFor: readonly AccountedRow[];
  /** Links the source does not determine (a lookup matched several values): not checked against a candidate, only for their absence. */
  readonly unprovable: readonly UnprovableLink[];
  readonly missing: readonly { readonly key: readonly string[]; readonly sourceKey: string; readonly expected: RowTexts }[];
  /** Target rows no source row maps to, among the rows the migration owns (all rows with scope `all`). */
  readonly extra: readonly { readonly key: readonly string[]; readonly actual: RowTexts }[];
  /**
   * Scope `migration`: target rows without a source row that the migration does not own (no id
   * mapping of the object: rows the target held before, or others wrote) — counted, not compared.
   */
  readonly foreign: number;
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
  /** The most expected rows held in memory at once: one key range's (see `partitionRows`), not the table's. */
  readonly expectedRowsHeld: number;
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
  /** About how many expected rows are held in memory at once (default 50,000). */
  readonly partitionRows?: number;
  /**
   * Which target rows are compared: `migration` (default) those the migration owns — the rows a
   * source row maps to, and the rows in the object's id map (loaded by a migrate run or inserted
   * by repair) — so a target that held other rows before is not "extra"; `all` every row.
   */
  readonly scope?: VerifyScope;
}

export type VerifyScope = 'migration' | 'all';

const DEFAULT_PARTITION_ROWS = 50_000;

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
  const targetSchema = targetView(
    plan,
    await target.introspect({ tables: [...new Set(objects.map((o) => o.target.table))] }),
    target.capabilities.maxIdentifierLength,
  );
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
  const kinds = typed(key).map((k) => k.type.kind);
  const compare = keyComparator(kinds);
  const where = sharedTableFilter(input.plan, object, target.capabilities.dialect);
  const theirs = await openSide(target, { table: table.name, key: typed(key), columns: typed(columns), ...(where ? { where } : {}) });
  try {
    // The expected side is cut at the target's key quantiles into ranges of about `partitionRows`
    // rows, spilled to disk, and compared one range at a time: memory holds one range.
    const targetCount = (await theirs.session.checksum({})).count;
    const sourceCount = await input.source.count(object.source.table);
    const ranges = Math.ceil(Math.max(targetCount, sourceCount) / (input.partitionRows ?? DEFAULT_PARTITION_ROWS));
    const bounds = ranges > 1 ? await theirs.session.splitPoints({}, ranges) : [];
    const partitions = await ExpectedPartitions.open(bounds, compare);
    try {
      const summary = await expectedRows(
        {
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
        },
        (row, origin) => partitions.add(row, origin),
      );
      const fromColumns = sourceColumnsOf(object);
      const texts = (values: readonly (string | null)[]): RowTexts => Object.fromEntries(columns.map((c, i) => [c, values[i]]));
      const sourceText = (column: string, origin: ExpectedOrigin | undefined): string | null => {
        const from = object.fields.find((f) => f.target === column)?.from ?? [];
        if (!origin || from.length === 0) return null;
        const parts = from.map((f) => origin.sourceTexts[fromColumns.indexOf(f)]);
        return parts.length === 1 ? parts[0] : JSON.stringify(parts);
      };
      const missing: ObjectVerification['missing'][number][] = [];
      const extra: ObjectVerification['extra'][number][] = [];
      const changed: ObjectVerification['changed'][number][] = [];
      let held = 0;
      let foreign = 0;
      const split = (range: TextKeyRange, parts: number) => theirs.session.splitPoints(range, parts);
      for (let i = 0; i < partitions.partitions; i++)
        for await (const part of partitions.ranges(i, split)) {
          held = Math.max(held, part.rows.length);
          const found = await hashDiff(new MemoryChecksum(part.rows, compare), theirs.session, kinds, { ...input, range: part.range });
          const origin = (k: readonly string[]) => part.origins.get(encodeKey(k));
          for (const r of found.onlyA) missing.push({ key: r.key, sourceKey: origin(r.key)?.sourceKey ?? '', expected: texts(r.values) });
          const owned = await ownedKeys(input, object, found.onlyB);
          for (const r of found.onlyB) {
            if (owned && !owned.has(encodeKey(r.key))) foreign++;
            else extra.push({ key: r.key, actual: texts(r.values) });
          }
          for (const c of found.changed) {
            const o = origin(c.key);
            changed.push({
              key: c.key,
              sourceKey: o?.sourceKey ?? '',
              fields: c.columns.map((j) => ({ field: columns[j], source: sourceText(columns[j], o), expected: c.a[j], actual: c.b[j] })),
              expected: texts(c.a),
              actual: texts(c.b),
            });
          }
        }
      return {
        object: object.name,
        table: table.name,
        status: missing.length + extra.length + changed.length === 0 ? 'equal' : 'different',
        key,
        columns,
        counts: {
          sourceRead: summary.read,
          filtered: summary.filtered,
          ...(summary.duplicates ? { duplicates: summary.duplicates } : {}),
          expected: summary.expected,
          target: targetCount,
        },
        accountedFor: summary.accountedFor,
        unprovable: summary.unprovable,
        missing,
        extra,
        foreign,
        changed,
        pushdown: theirs.pushdown,
        expectedRowsHeld: held,
        seconds: (Date.now() - input.started) / 1000,
      };
    } finally {
      await partitions.close();
    }
  } finally {
    await theirs.session.close();
  }
}

/**
 * Of the target rows no source row maps to, the keys the migration owns (in the object's id map);
 * undefined with scope `all` (every row is the migration's).
 */
async function ownedKeys(
  input: Pick<VerifyOptions, 'scope' | 'state'>,
  object: ObjectPlan,
  rows: readonly { readonly key: readonly string[] }[],
): Promise<Set<string> | undefined> {
  if (input.scope === 'all') return undefined;
  const keys = rows.map((r) => encodeKey(r.key));
  return new Set((await input.state.lookupSourceKeys(object.name, keys)).keys());
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
      // A row of a repeated key superseded by the one loaded (`rowLoaded`) leaves its key loaded.
      if (!r.sourceKey || r.rowLoaded || (r.field && object.deferredFields.includes(r.field))) continue;
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
    unprovable: [],
    missing: [],
    extra: [],
    foreign: 0,
    changed: [],
    pushdown: false,
    expectedRowsHeld: 0,
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
