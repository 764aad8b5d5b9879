import type { Connector, Writer } from '../../connectors/contract.js';
import type { DatabaseSchema, TableSchema } from '../../core/types.js';
import type { Plan } from '../../mapping/plan/plan-types.js';
import { compileObjectMapper, type ObjectMapper } from '../../mapping/row-mapper.js';
import type { TransformContext } from '../../mapping/transforms/transform.js';
import type { LedgerCounts, StateStore } from '../../state/state-store.js';
import type { EventSink } from '../events.js';
import { IdResolver } from '../id-resolver.js';
import { emptyLedger } from '../ledger.js';
import { deferredView } from '../migrate/deferred-pass.js';
import { planTransformContext, sourceTableColumns, targetTableOf } from '../migrate/migrate.js';
import type { PassContext } from '../migrate/object-pass.js';
import { UniqueGuard } from '../migrate/unique-guard.js';

/**
 * Everything a sync run applies changes with: the same pieces as a migrate run (mappers, id
 * resolver, unique guard, writer, journal under the run's id), so a change is loaded exactly
 * as migrate would load the row.
 */
export interface SyncContext {
  readonly plan: Plan;
  readonly source: Connector;
  readonly target: Connector;
  readonly state: StateStore;
  readonly writer: Writer;
  readonly pass: PassContext;
  readonly mappers: ReadonlyMap<string, ObjectMapper>;
  /** Mappers of the deferred references (self-references, cycles), for objects that have any. */
  readonly deferredMappers: ReadonlyMap<string, ObjectMapper>;
  readonly tables: ReadonlyMap<string, TableSchema>;
  /** Per-object counts of this run (read, created, updated, unchanged, rejected). */
  readonly ledgers: Map<string, LedgerCounts>;
  readonly tableColumns: ReadonlyMap<string, readonly string[]>;
  /**
   * Two-way sync: every applied row brings along its referencing rows (safe under replay) except
   * those whose target row was edited since it was last synced (`untouchedInTarget`), so
   * re-applying children from the source cannot overwrite edits made to them in the target
   * before the reverse direction has read them.
   */
  readonly twoWay: boolean;
  /** The plan's transform context, with the project's custom modules. */
  readonly transformContext: TransformContext;
}

export async function openSyncContext(options: {
  readonly runId: string;
  readonly plan: Plan;
  readonly source: Connector;
  readonly target: Connector;
  readonly state: StateStore;
  readonly targetSchema: DatabaseSchema;
  readonly emit: EventSink;
  readonly signal?: AbortSignal;
  readonly twoWay: boolean;
  readonly transformContext?: Omit<TransformContext, 'timeZone' | 'defaultCountry' | 'locale'>;
}): Promise<SyncContext> {
  const { plan, source, target, state } = options;
  const transformContext = planTransformContext(plan, options.transformContext);
  const tables = new Map(plan.objects.map((o) => [o.name, targetTableOf(options.targetSchema, o)]));
  const tableColumns = await sourceTableColumns(source, plan);
  const writer = await target.writer();
  return {
    plan,
    source,
    target,
    state,
    writer,
    mappers: new Map(plan.objects.map((o) => [o.name, compileObjectMapper(o, transformContext)])),
    deferredMappers: new Map(
      plan.objects.filter((o) => o.deferredFields.length > 0).map((o) => [o.name, compileObjectMapper(deferredView(o), transformContext)]),
    ),
    tables,
    tableColumns,
    twoWay: options.twoWay,
    transformContext,
    ledgers: new Map(plan.objects.map((o) => [o.name, emptyLedger()])),
    pass: {
      runId: options.runId,
      source,
      target,
      writer,
      state,
      ids: new IdResolver(state, false),
      batchSize: plan.options.batchSize,
      ...(options.signal ? { signal: options.signal } : {}),
      emit: options.emit,
      tableColumns,
      missingTables: new Set(),
      // Never fresh: a sync always compares with the target's current rows (upsert, unchanged skipped).
      freshObjects: new Set(),
      uniques: new UniqueGuard(new Map([...tables.values()].map((t) => [t.name, t]))),
      afterBatch: () => {},
    },
  };
}
