import type { Connector } from '../connectors/contract.js';
import { CrmError } from '../core/errors/index.js';
import type { DatabaseSchema, TableSchema } from '../core/types.js';
import { designTargetSchema } from '../mapping/design/design-target.js';
import { targetView } from '../mapping/plan/name-map.js';
import type { Plan } from '../mapping/plan/plan-types.js';

export interface PreparedTarget {
  readonly schema: DatabaseSchema;
  /** Dry run: designed tables not created (read as empty). */
  readonly missing: Set<string>;
  /** Tables created without their non-unique indexes and foreign keys, which `migrate` adds once they are loaded. */
  readonly completeAfterLoad: readonly TableSchema[];
  /** Tables created here, parents before children (the design's order). */
  readonly created: readonly string[];
}

/**
 * The target tables a run writes to: the existing ones, plus those the design creates for
 * tables that do not exist yet. Nothing existing is ever dropped or altered here. A dry run
 * creates nothing: it works against the designed schema, with the missing tables taken as empty.
 */
export async function prepareTarget(
  plan: Plan,
  source: Connector,
  target: Connector,
  options: { dryRun: boolean },
): Promise<PreparedTarget> {
  const wanted = [...new Set(plan.objects.map((o) => o.target.table))];
  const existing = await introspectTarget(target, plan);
  const names = new Set(existing.tables.map((t) => t.name));
  const missing = wanted.filter((t) => !names.has(t));
  if (missing.length === 0) return { schema: existing, missing: new Set(), completeAfterLoad: [], created: [] };
  const sourceSchema = await source.introspect({ tables: [...new Set(plan.objects.map((o) => o.source.table))] });
  const designed = designTargetSchema(plan, sourceSchema, undefined, { existingTables: names }).filter((t) => missing.includes(t.name));
  if (options.dryRun) {
    return { schema: { tables: [...existing.tables, ...designed] }, missing: new Set(missing), completeAfterLoad: [], created: [] };
  }
  const writer = await target.writer();
  // New tables get their non-unique indexes and foreign keys once loaded, where the target can
  // add them afterwards.
  const deferred = writer.completeTables !== undefined;
  const later = deferred ? designed.filter((t) => t.foreignKeys.length > 0 || t.indexes.some((i) => !i.unique)) : [];
  try {
    await writer.createTables(designed, { ifNotExists: true, foreignKeys: !deferred, secondaryIndexes: !deferred });
  } finally {
    await writer.close();
  }
  return {
    schema: await introspectTarget(target, plan),
    missing: new Set(),
    completeAfterLoad: later,
    created: designed.map((t) => t.name),
  };
}

/**
 * The target's tables, the plan's under their logical names (see `targetView`); a target file
 * that does not exist yet (a new SQLite file) has none.
 */
export async function introspectTarget(target: Connector, plan: Plan): Promise<DatabaseSchema> {
  try {
    return targetView(plan, await target.introspect(), target.capabilities.maxIdentifierLength);
  } catch (err) {
    if (err instanceof CrmError && err.code === 'CRM_C1004') return { tables: [] };
    throw err;
  }
}
