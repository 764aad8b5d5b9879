import { applyChanged } from './apply-keys.js';
import type { SyncContext } from './sync-context.js';

/** Where an object's two-way baseline is recorded as taken (for the plan whose hash it holds). */
const baselineName = (object: string): string => `two-way-baseline:${object}`;

/**
 * Takes each object's two-way baseline once per plan, before its first two-way round: every row
 * migrate (or one-way sync) put in the target is applied forward again — the source wins where
 * the two sides differ — and both sides are remembered (`remember`). Without it, a row that two-way
 * had never synced has no base: an edit made on both sides could not be told from one made on
 * one side (the source silently won, no conflict recorded), and a source delete of such a row
 * was taken for "unchanged". A mapping change (another plan hash) takes it again, since the
 * stored images cover the columns the old mapping read. Objects stopped by schema drift wait.
 */
export async function takeBaselines(
  ctx: SyncContext,
  stopped: ReadonlySet<string>,
  remember: (object: string, sourceKeys: readonly string[]) => Promise<void>,
): Promise<void> {
  for (const object of ctx.plan.objects) {
    const { name } = object;
    if (stopped.has(name) || (await ctx.state.getSyncPosition(baselineName(name))) === ctx.plan.hash) continue;
    // Paging by the last key read stays exact while applying forgets the mappings of rows gone (all at or before it).
    for (let after: string | undefined; !ctx.pass.signal?.aborted; ) {
      const keys = await ctx.state.idMappedKeys(name, { ...(after ? { after } : {}), limit: ctx.plan.options.batchSize });
      if (keys.length === 0) break;
      after = keys[keys.length - 1];
      await applyChanged(ctx, new Map([[name, new Set(keys)]]));
      await remember(name, keys);
    }
    if (!ctx.pass.signal?.aborted) await ctx.state.setSyncPosition(baselineName(name), ctx.plan.hash);
  }
}
