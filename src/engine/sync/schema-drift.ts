import type { Connector } from '../../connectors/contract.js';
import { CrmError } from '../../core/errors/index.js';
import type { ObjectPlan, Plan } from '../../mapping/plan/plan-types.js';
import type { StateStore } from '../../state/state-store.js';

/** What changed in the source schema since sync first saw it. */
export interface DriftReport {
  /** Objects that must not be applied, with the reason (a mapped column dropped or retyped). */
  readonly stopped: ReadonlyMap<string, CrmError>;
  /** New columns and other changes that need no action. */
  readonly notices: readonly string[];
}

type Columns = Record<string, string>;
const baselineName = (table: string) => `schema:${table}`;

/**
 * Every (table, column) an object reads: its base columns, the joined side-table columns its
 * fields use, and its lookup columns. A mapped column belongs to the base table if the base
 * table had it when first seen, else to the side table that had it.
 */
function usedColumns(object: ObjectPlan, baselines: ReadonlyMap<string, Columns>): [string, string][] {
  const had = (table: string, column: string) => baselines.get(table)?.[column] !== undefined;
  const base = object.source.table;
  const used: [string, string][] = [];
  for (const c of object.source.columns) {
    const side = object.source.joins.find((j) => c.startsWith(j.prefix) && had(j.table, c.slice(j.prefix.length)));
    if (had(base, c) || !side) used.push([base, c]);
    else used.push([side.table, c.slice(side.prefix.length)]);
  }
  for (const join of object.source.joins) for (const c of Object.keys(join.on)) used.push([join.table, c]);
  for (const f of object.fields) {
    const l = f.lookup;
    if (!l) continue;
    used.push([l.table, l.match]);
    if (l.through) used.push([l.table, l.through.from], [l.through.table, l.through.match], [l.through.table, l.value]);
    else used.push([l.table, l.value]);
  }
  return used;
}

/**
 * Compares the source tables with the schema recorded the first time sync saw them. A new
 * column is a notice (the mapping does not read it; sync goes on). A column an object reads
 * that was dropped or changed its canonical type stops THAT object before any write, with a
 * CrmError naming table and column; the other objects go on. The baseline keeps the first-seen
 * types, so a retype is reported until the mapping (and baseline) are dealt with.
 */
export async function checkDrift(plan: Plan, source: Connector, state: StateStore): Promise<DriftReport> {
  const names = [
    ...new Set(
      plan.objects.flatMap((o) => [
        o.source.table,
        ...o.source.joins.map((j) => j.table),
        ...o.fields.flatMap((f) => (f.lookup ? [f.lookup.table, ...(f.lookup.through ? [f.lookup.through.table] : [])] : [])),
      ]),
    ),
  ];
  const schema = await source.introspect({ tables: names });
  const current = new Map(schema.tables.map((t) => [t.name, Object.fromEntries(t.columns.map((c) => [c.name, c.type.kind])) as Columns]));
  const notices: string[] = [];
  const baselines = new Map<string, Columns>();
  for (const [table, columns] of current) {
    const stored = await state.getSyncPosition(baselineName(table));
    const baseline = stored ? (JSON.parse(stored) as Columns) : columns;
    const added = Object.keys(columns).filter((c) => !(c in baseline));
    for (const c of added) notices.push(`new column ${table}.${c} in the source (not mapped): sync goes on`);
    if (!stored || added.length > 0) await state.setSyncPosition(baselineName(table), JSON.stringify({ ...columns, ...baseline }));
    baselines.set(table, baseline);
  }
  const stopped = new Map<string, CrmError>();
  for (const object of plan.objects) {
    for (const [table, column] of usedColumns(object, baselines)) {
      const now = current.get(table);
      const before = baselines.get(table)?.[column];
      const location = { object: object.name, table, column };
      if (!now) {
        stopped.set(
          object.name,
          new CrmError(
            'CRM_S3001',
            `source table ${table}, read by object ${object.name}, no longer exists: ${object.name} is not synced`,
            { location },
          ),
        );
        break;
      }
      if (now[column] === undefined) {
        stopped.set(
          object.name,
          new CrmError(
            'CRM_S3002',
            `source column ${table}.${column}, mapped by object ${object.name}, was dropped: ${object.name} is not synced until the mapping is fixed`,
            { location },
          ),
        );
        break;
      }
      if (before !== undefined && before !== now[column]) {
        stopped.set(
          object.name,
          new CrmError(
            'CRM_M5005',
            `source column ${table}.${column}, mapped by object ${object.name}, changed type from ${before} to ${now[column]}: ${object.name} is not synced until the mapping is fixed`,
            { location },
          ),
        );
        break;
      }
    }
  }
  return { stopped, notices };
}
