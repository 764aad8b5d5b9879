import { CrmError } from '../../core/errors/index.js';
import type { TableSchema } from '../../core/types.js';
import type { ObjectPlan } from '../../mapping/plan/plan-types.js';
import { applyChanged } from './apply-keys.js';
import type { ChangedKeys } from './change-router.js';
import type { ApplyGate } from './drift-guard.js';
import type { SyncContext } from './sync-context.js';
import type { SyncEventSink } from './sync-events.js';
import type { SyncMeter, SyncMode } from './sync-meter.js';
import { syncPolicyOf } from './sync-policy.js';
import { takeBaselines } from './two-way-baseline.js';
import { resolveDeleteConflicts, type TwoWayObject } from './two-way-conflicts.js';
import { removeFromSource } from './two-way-delete.js';
import { changedSince, currentHashes, SOURCE_SCOPE, targetSideOf } from './two-way-hashes.js';
import { type Inserted, insertTargetRows, sourceKeyRule } from './two-way-insert.js';
import { reverseMappingOf } from './two-way-mapping.js';
import { mergeRows } from './two-way-merge.js';
import { type Propagated, rememberSynced } from './two-way-remember.js';
import type { TargetFeed } from './two-way-target-feed.js';
import { openTargetLog } from './two-way-target-log.js';
import { openTargetPoll } from './two-way-target-poll.js';

/**
 * `sync --two-way`. Opening derives every object's reverse mapping before anything is read (an
 * object that cannot invert refuses the run, naming the field).
 *
 * Before the first round under a plan, the baseline (`takeBaselines`): every mapped row applied
 * forward and remembered, the target's feed started first.
 * Forward (as the gate of the one-way apply): a changed source key is applied only when its
 * source row differs from the one last synced; when its target row differs too, the two are
 * merged field by field first, collisions resolved and recorded (`mergeRows`); after applying,
 * both sides' rows are remembered (`rememberSynced`, which does not swallow a write made meanwhile).
 * Reverse (`run`, after the forward round): changed target keys come from the target's change
 * log in cdc mode when it has one, else from polling (`TargetFeed`); each is settled by what the
 * target holds now (`applyTarget`), then applied forward again (the fields the source owns are
 * set back from the source); then both sides are remembered. So each direction skips the echo of
 * the other's writes by row hash, without comparing clocks.
 */
export class TwoWaySync implements ApplyGate {
  private readonly warned = new Set<string>();
  private started = false;
  /** Per object, what the forward apply selected in `select` propagates, as read before it writes. */
  private readonly pending = new Map<string, Propagated>();

  private constructor(
    private readonly ctx: SyncContext,
    private readonly objects: ReadonlyMap<string, TwoWayObject>,
    private readonly feed: TargetFeed,
    private readonly meter: SyncMeter,
    private readonly emit: SyncEventSink,
    private readonly closeWriter: () => Promise<void>,
  ) {}

  static async open(ctx: SyncContext, mode: SyncMode, feedName: string, meter: SyncMeter, emit: SyncEventSink): Promise<TwoWaySync> {
    if (mode === 'snapshot') {
      throw new CrmError('CRM_N2006', 'two-way sync needs a change feed or polling on the source: use --mode cdc or --mode poll');
    }
    const transformContext = ctx.transformContext;
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
      const table = sourceTable(object);
      objects.set(object.name, {
        mapping,
        source: { connector: ctx.source, table, key: object.source.key, columns: object.source.columns, scope: SOURCE_SCOPE },
        target: targetSideOf(ctx, object),
        sourceSide: { table, writer },
        keyRule: sourceKeyRule(object, table, writer, transformContext),
      });
    }
    const feed = (mode === 'cdc' ? openTargetLog(ctx, feedName) : undefined) ?? openTargetPoll(ctx, emit);
    return new TwoWaySync(ctx, objects, feed, meter, emit, async () => {
      await feed.close();
      await writer.close();
    });
  }

  /** Takes the baseline of objects two-way has not synced yet under this plan (`takeBaselines`), the target's feed started first; objects in `stopped` wait. */
  async baseline(stopped: ReadonlySet<string>): Promise<void> {
    if (!this.started) await this.feed.start?.();
    this.started = true;
    // Propagated from the source with nothing read before: a row edited in the target while its
    // baseline was taken keeps its target unremembered, so the target's feed carries the edit over.
    const fromSource: Propagated = { from: 'source', hashes: new Map(), texts: new Map() };
    await takeBaselines(this.ctx, stopped, (name, keys) => rememberSynced(this.ctx, this.objects.get(name)!, keys, [], fromSource));
  }

  async select(changed: ChangedKeys): Promise<ChangedKeys> {
    const out: ChangedKeys = new Map();
    this.pending.clear();
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
      const edited = both.filter((k) => target.current.has(ids.get(k)!) && source.current.has(k));
      const deleted = both.filter((k) => !target.current.has(ids.get(k)!) && source.current.has(k));
      const vanished = both.filter((k) => target.current.has(ids.get(k)!) && !source.current.has(k));
      // What the forward apply propagates, as read before it writes (see `rememberSynced`).
      const texts = new Map<string, readonly (string | null)[]>();
      for (const [key, row] of source.rows)
        texts.set(
          key,
          object.mapping.fields.map((f) => row.texts[f.source] ?? null),
        );
      const hashes = new Map(source.current);
      if (edited.length > 0) {
        const merged = await mergeRows(
          this.ctx,
          object,
          edited.map((k) => ids.get(k)!),
          'source',
        );
        // The merge may have written these source rows: they are remembered as they are after it.
        for (const [key, values] of merged.texts) {
          texts.set(key, values);
          hashes.delete(key);
        }
        this.meter.reversed(0, merged.written, merged.conflicts);
      }
      this.pending.set(name, { from: 'source', hashes, texts });
      if (deleted.length > 0) {
        // The deletion wins: the source change is not applied forward; the reverse direction deletes the source row.
        const lost = await resolveDeleteConflicts(this.ctx, object, deleted, 'target');
        for (const k of lost) out.get(name)!.delete(k);
        this.meter.reversed(0, 0, deleted.length);
      }
      if (vanished.length > 0) {
        // Deleted in the source, edited in the target. Where the edit wins, the target row stays
        // out of the forward apply (which would delete it) and, no longer mapped, is created
        // again in the source by the reverse direction, which reads the target's edit next.
        const lost = new Set(await resolveDeleteConflicts(this.ctx, object, vanished, 'source'));
        const kept = vanished.filter((k) => !lost.has(k));
        for (const k of kept) out.get(name)!.delete(k);
        await this.ctx.state.forgetIdMappings(name, kept);
        this.meter.reversed(0, 0, vanished.length);
      }
    }
    return out;
  }

  async applied(changed: ChangedKeys): Promise<void> {
    for (const [name, keys] of changed) {
      const sourceKeys = [...keys];
      const pending = this.pending.get(name);
      const refused = await this.ctx.state.rejectedKeys(this.ctx.pass.runId, name, sourceKeys);
      await rememberSynced(this.ctx, this.objects.get(name)!, sourceKeys, [], pending && { ...pending, refused });
    }
    this.pending.clear();
  }

  /** One reverse round: the target's changes up to now, a batch at a time, applied to the source; each batch checkpointed after. */
  async run(options: { readonly lookbackSeconds: number; readonly signal: AbortSignal }): Promise<void> {
    for await (const batch of this.feed.batches(options)) {
      const { written, conflicts } = await this.applyTarget(batch.changed);
      await batch.commit();
      this.meter.reversed(batch.events, written, conflicts);
    }
  }

  close(): Promise<void> {
    return this.closeWriter();
  }

  /**
   * Settles changed target keys in the source by what each side holds now, so a replayed batch
   * finds nothing left to do:
   *   - a target row with an id mapping that differs from the one last synced: merged into the
   *     source row field by field (`mergeRows`); when the source row is gone, a row conflict
   *     (`revive`);
   *   - a target row without an id mapping was created in the target: a source row is created
   *     (`insertTargetRows`), parents before children in the plan's dependency order;
   *   - an id mapping without a target row: the row was deleted in the target, and its source row
   *     is removed (`removeFromSource`), children before parents;
   *   - neither: crmbridge deleted it forward; only its stored hash is forgotten.
   * Then every source key written is applied forward again and both sides are remembered.
   * Returns the number of source rows written and of conflicts recorded.
   */
  private async applyTarget(changed: ChangedKeys): Promise<{ written: number; conflicts: number }> {
    let written = 0;
    let conflicts = 0;
    const forward: ChangedKeys = new Map();
    const moved = new Map<string, string[]>();
    const propagated = new Map<string, Propagated>();
    const deleted: [TwoWayObject, string[]][] = [];
    for (const object of this.objects.values()) {
      const { name } = object.mapping.object;
      const keys = [...(changed.get(name) ?? [])];
      if (keys.length === 0) continue;
      const target = await changedSince(this.ctx.state, name, object.target, keys);
      const mapped = await this.ctx.state.lookupSourceKeys(name, keys);
      const edited = target.changed.filter((k) => target.current.has(k) && mapped.has(k));
      const revived = await this.revive(object, edited, mapped);
      conflicts += revived.conflicts;
      const updated = edited.filter((k) => !revived.keys.has(k));
      const merged = await mergeRows(this.ctx, object, updated, 'target');
      written += merged.written;
      conflicts += merged.conflicts;
      propagated.set(name, { from: 'target', hashes: target.current, texts: merged.texts });
      const created = keys.filter((k) => target.current.has(k) && (!mapped.has(k) || revived.keys.has(k)));
      const inserted = await insertTargetRows(this.ctx, object.mapping, object.sourceSide, object.keyRule, created);
      written += inserted.created.size;
      this.warnNotInserted(object, created.length, inserted);
      forward.set(name, new Set([...updated.map((k) => mapped.get(k)!), ...inserted.created.values()]));
      moved.set(name, target.changed);
      deleted.push([object, keys.filter((k) => !target.current.has(k) && mapped.has(k)).map((k) => mapped.get(k)!)]);
    }
    for (const [object, sourceKeys] of deleted.reverse()) {
      written += await removeFromSource(this.ctx, this.objects, object, sourceKeys, forward);
    }
    // Back through the forward mapping: fields the source owns (or that do not sync back) are set
    // again from the source, and the target rows of removed source children go too.
    await applyChanged(this.ctx, forward);
    for (const object of this.objects.values()) {
      const { name } = object.mapping.object;
      const sourceKeys = [...(forward.get(name) ?? [])];
      const targetKeys = moved.get(name) ?? [];
      if (sourceKeys.length > 0 || targetKeys.length > 0) {
        await rememberSynced(this.ctx, object, sourceKeys, targetKeys, propagated.get(name));
      }
    }
    return { written, conflicts };
  }

  /**
   * Of target rows edited since the last sync (`targetKeys`, mapped to `mapped`), those whose
   * source row is gone were deleted in the source meanwhile (the forward direction has not
   * applied the delete yet, or cannot see it: polling): a row conflict each. Where the edit wins
   * (`resolveDeleteConflicts`), the id mapping is forgotten and the keys returned, to be created
   * again in the source; where the deletion wins, the forward apply deletes the target row.
   */
  private async revive(
    object: TwoWayObject,
    targetKeys: readonly string[],
    mapped: ReadonlyMap<string, string>,
  ): Promise<{ keys: Set<string>; conflicts: number }> {
    const { name } = object.mapping.object;
    const present = await currentHashes(
      object.source,
      targetKeys.map((k) => mapped.get(k)!),
    );
    const gone = targetKeys.filter((k) => !present.has(mapped.get(k)!));
    if (gone.length === 0) return { keys: new Set(), conflicts: 0 };
    const lost = new Set(
      await resolveDeleteConflicts(
        this.ctx,
        object,
        gone.map((k) => mapped.get(k)!),
        'source',
      ),
    );
    const kept = gone.filter((k) => !lost.has(mapped.get(k)!));
    await this.ctx.state.forgetIdMappings(
      name,
      kept.map((k) => mapped.get(k)!),
    );
    return { keys: new Set(kept), conflicts: gone.length };
  }

  /** Says (once per object and run) why rows created in the target were not created in the source. */
  private warnNotInserted(object: TwoWayObject, created: number, { unresolved, refused }: Inserted): void {
    const { name } = object.mapping.object;
    const rule = object.keyRule;
    if (rule.kind === 'none' && created > 0 && !this.warned.has(name)) {
      this.warned.add(name);
      this.emit({ type: 'warning', object: name, message: `rows created in the target of ${name} are not synced back: ${rule.why}` });
    }
    if (unresolved.length > 0) {
      this.emit({
        type: 'warning',
        object: name,
        message: `${unresolved.length} row(s) created in the target of ${name} reference a target row that has no source row, and were not synced back (first: ${unresolved[0]})`,
      });
    }
    if (refused.keys.length > 0) {
      const error = new CrmError(
        'CRM_E6013',
        `${refused.keys.length} row(s) created in the target of ${name} were not created in the source: ${refused.why}`,
        { location: { object: name, table: object.sourceSide.table.name, key: refused.keys[0] } },
      );
      this.emit({ type: 'warning', object: name, message: error.format() });
    }
  }
}
