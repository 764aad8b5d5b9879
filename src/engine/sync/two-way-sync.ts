import { CrmError } from '../../core/errors/index.js';
import type { TableSchema } from '../../core/types.js';
import type { ObjectPlan } from '../../mapping/plan/plan-types.js';
import { planTransformContext } from '../migrate/migrate.js';
import { applyChanged } from './apply-keys.js';
import type { ChangedKeys } from './change-router.js';
import type { ApplyGate } from './drift-guard.js';
import type { SyncContext } from './sync-context.js';
import type { SyncEventSink } from './sync-events.js';
import type { SyncMeter, SyncMode } from './sync-meter.js';
import { syncPolicyOf } from './sync-policy.js';
import { applyTargetKeys } from './two-way-apply.js';
import { resolveConflicts, type TwoWayObject } from './two-way-conflicts.js';
import { changedSince, rememberSynced } from './two-way-hashes.js';
import { reverseMappingOf } from './two-way-mapping.js';
import { watermarkBatches } from './watermark-batches.js';

export const reversePositionName = (object: string): string => `poll-target:${object}`;

/** Scopes of `sync_rows` holding each side's row hashes as last synced (source rows by source key, target rows by target key). */
const SOURCE_SCOPE = 'two-way:source';
const TARGET_SCOPE = 'two-way:target';

/**
 * `sync --two-way`. Opening derives every object's reverse mapping before anything is read (an
 * object that cannot invert refuses the run, naming the field).
 *
 * Forward (as the gate of the one-way apply): a changed source key is applied only when its
 * source row differs from the one last synced; when its target row differs too, the conflict is
 * resolved and recorded first (`resolveConflicts`); after applying, both sides' rows are remembered.
 * Reverse (`run`, after the forward round): the target is polled past its own watermark
 * (`sync.updatedAt.target`), and a key whose target row differs from the one last synced is
 * applied to the source by key, then forward again (the fields the source owns are set back
 * from the source); then both sides are remembered. So each direction skips the
 * echo of the other's writes by row hash, without comparing clocks.
 */
export class TwoWaySync implements ApplyGate {
  private constructor(
    private readonly ctx: SyncContext,
    private readonly objects: ReadonlyMap<string, TwoWayObject>,
    private readonly meter: SyncMeter,
    private readonly closeWriter: () => Promise<void>,
  ) {}

  static async open(ctx: SyncContext, mode: SyncMode, meter: SyncMeter, emit: SyncEventSink): Promise<TwoWaySync> {
    if (mode === 'snapshot') {
      throw new CrmError('CRM_N2006', 'two-way sync needs a change feed or polling on the source: use --mode cdc or --mode poll');
    }
    const transformContext = planTransformContext(ctx.plan);
    const mappings = ctx.plan.objects.map((o) => reverseMappingOf(o, transformContext));
    const schema = await ctx.source.introspect({ tables: ctx.plan.objects.map((o) => o.source.table) });
    const sourceTable = (object: ObjectPlan): TableSchema => {
      const table = schema.tables.find((t) => t.name === object.source.table);
      if (!table) throw new CrmError('CRM_S3001', `source table ${object.source.table} of object ${object.name} does not exist`);
      return table;
    };
    const writer = await ctx.source.writer();
    const objects = new Map<string, TwoWayObject>();
    for (const mapping of mappings) {
      const { object } = mapping;
      const policy = syncPolicyOf(object);
      if (policy.conflict === 'newest_wins' && !(policy.updatedAt.source && policy.updatedAt.target)) {
        throw new CrmError(
          'CRM_M5001',
          `objects.${object.name}.sync: conflict newest_wins needs both updatedAt.source and updatedAt.target`,
        );
      }
      if (!policy.updatedAt.target) {
        emit({
          type: 'warning',
          object: object.name,
          message: `${object.name} has no sync.updatedAt.target column: its target changes are not synced back`,
        });
      }
      const table = sourceTable(object);
      objects.set(object.name, {
        mapping,
        source: { connector: ctx.source, table, key: object.source.key, columns: object.source.columns, scope: SOURCE_SCOPE },
        target: {
          connector: ctx.target,
          table: ctx.tables.get(object.name)!,
          key: object.target.key,
          columns: object.target.columns,
          scope: TARGET_SCOPE,
        },
        sourceSide: { table, writer },
      });
    }
    return new TwoWaySync(ctx, objects, meter, () => writer.close());
  }

  async select(changed: ChangedKeys): Promise<ChangedKeys> {
    const out: ChangedKeys = new Map();
    for (const [name, keys] of changed) {
      const object = this.objects.get(name)!;
      const source = await changedSince(this.ctx.state, name, object.source, [...keys]);
      if (source.changed.length === 0) continue;
      out.set(name, new Set(source.changed));
      // Changed on both sides since the last sync: both rows were synced before and both differ now.
      const ids = await this.ctx.state.lookupIds(name, source.changed);
      const target = await changedSince(this.ctx.state, name, object.target, [...ids.values()]);
      const targetMoved = new Set(target.changed.filter((k) => target.synced.has(k)));
      const both = source.changed.filter((k) => source.synced.has(k) && targetMoved.has(ids.get(k) ?? ''));
      if (both.length > 0) this.meter.reversed(0, 0, await resolveConflicts(this.ctx, object, both, ids));
    }
    return out;
  }

  async applied(changed: ChangedKeys): Promise<void> {
    for (const [name, keys] of changed) {
      const sourceKeys = [...keys];
      await this.remember(this.objects.get(name)!, sourceKeys, [...(await this.ctx.state.lookupIds(name, sourceKeys)).values()]);
    }
  }

  /** One reverse round: every object with `sync.updatedAt.target`, its changed target rows applied to the source. */
  async run(options: { readonly lookbackSeconds: number; readonly signal: AbortSignal }): Promise<void> {
    for (const object of this.objects.values()) {
      const { name } = object.mapping.object;
      const column = syncPolicyOf(object.mapping.object).updatedAt.target;
      if (!column) continue;
      const { table, key } = object.mapping.object.target;
      const spec = { connector: this.ctx.target, table, key, column, position: reversePositionName(name) };
      for await (const batch of watermarkBatches(this.ctx.state, spec, { ...options, batchSize: this.ctx.plan.options.batchSize })) {
        const { changed } = await changedSince(this.ctx.state, name, object.target, batch.keys);
        const written = await applyTargetKeys(this.ctx, object.mapping, object.sourceSide, changed);
        const sourceKeys = [...(await this.ctx.state.lookupSourceKeys(name, changed)).values()];
        // Back through the forward mapping: fields the source owns (or that do not sync back)
        // are set again from the source, so both sides end equal through the mapping.
        await applyChanged(this.ctx, new Map([[name, new Set(sourceKeys)]]));
        await this.remember(object, sourceKeys, changed);
        await batch.commit();
        this.meter.reversed(batch.keys.length, written);
      }
    }
  }

  close(): Promise<void> {
    return this.closeWriter();
  }

  /** Both sides' rows of these keys as they are now become the last synced ones. */
  private async remember(object: TwoWayObject, sourceKeys: readonly string[], targetKeys: readonly string[]): Promise<void> {
    const { name } = object.mapping.object;
    await rememberSynced(this.ctx.state, name, object.source, sourceKeys);
    await rememberSynced(this.ctx.state, name, object.target, targetKeys);
  }
}
