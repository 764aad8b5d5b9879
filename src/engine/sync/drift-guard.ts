import { addRemoval, applyChanged } from './apply-keys.js';
import type { ChangedKeys } from './change-router.js';
import type { DriftReport } from './schema-drift.js';
import type { SyncContext } from './sync-context.js';
import type { RemovalCounts } from './target-removal.js';
import { emptyRemoval } from './target-removal.js';

/** Scope of `sync_rows` holding the changed keys of objects stopped by schema drift. */
const PENDING = 'pending';

/** Two-way sync's say over the forward direction: which changed keys to apply, and what to remember once applied. */
export interface ApplyGate {
  select(changed: ChangedKeys): Promise<ChangedKeys>;
  applied(changed: ChangedKeys): Promise<void>;
}

/**
 * Applies changes except to objects stopped by schema drift. Their changed keys are not dropped:
 * they are stored durably (before the feed's position moves past them) and applied, then
 * forgotten, by the first run in which the object is no longer stopped — so fixing the mapping
 * loses nothing that changed meanwhile.
 */
export class DriftGuard {
  constructor(
    private readonly ctx: SyncContext,
    private readonly drift: DriftReport,
    private readonly gate?: ApplyGate,
  ) {}

  async apply(changed: ChangedKeys): Promise<RemovalCounts> {
    const live: ChangedKeys = new Map();
    for (const [object, keys] of changed) {
      if (this.drift.stopped.has(object)) {
        await this.ctx.state.putSyncRowHashes(
          PENDING,
          object,
          [...keys].map((key) => ({ key, hash: '' })),
        );
      } else live.set(object, keys);
    }
    if (!this.gate) return applyChanged(this.ctx, live);
    const selected = await this.gate.select(live);
    const removal = await applyChanged(this.ctx, selected);
    await this.gate.applied(selected);
    return removal;
  }

  /** Keys kept for objects that are no longer stopped: applied, then forgotten. */
  async replayPending(): Promise<RemovalCounts> {
    const total = emptyRemoval();
    for (const object of this.ctx.plan.objects) {
      if (this.drift.stopped.has(object.name)) continue;
      for (;;) {
        const keys = await this.ctx.state.syncRowKeys(PENDING, object.name, { limit: this.ctx.plan.options.batchSize });
        if (keys.length === 0) break;
        addRemoval(total, await applyChanged(this.ctx, new Map([[object.name, new Set(keys)]])));
        await this.ctx.state.putSyncRowHashes(
          PENDING,
          object.name,
          keys.map((key) => ({ key, hash: null })),
        );
      }
    }
    return total;
  }
}
