import type { Connector } from '../../connectors/contract.js';
import type { Plan } from '../../mapping/plan/plan-types.js';
import type { StateStore } from '../../state/state-store.js';
import { feedOptions } from './change-router.js';

/** The feed a project's `crmbridge sync` follows unless told otherwise. */
export const DEFAULT_FEED = 'main';

/** Name of a change feed's stored position in the state store. */
export const cdcPositionName = (feed: string): string => `cdc:${feed}`;

/**
 * Migrate → sync hand-off. Called when a migrate run starts, BEFORE it reads any source row:
 * the change log's current position is stored (PostgreSQL: the durable slot is created now, so
 * the server retains every later change). Changes committed after this point are in the log;
 * the migrate read sees at least everything committed before it. `sync` then starts here:
 * no gap, and the overlap is re-applied harmlessly (apply is an idempotent upsert by key).
 *
 * Only for projects that declare `sync:` on an object, and sources with a change log. An
 * existing position is kept: it is older, so starting there can only replay, never skip.
 */
export async function recordHandoffPosition(plan: Plan, source: Connector, state: StateStore, feed = DEFAULT_FEED): Promise<void> {
  if (!source.changes || !plan.objects.some((o) => o.sync)) return;
  const changes = source.changes(feedOptions(plan, feed));
  try {
    const { position } = await changes.prepare();
    await state.setSyncPosition(cdcPositionName(feed), position, { ifAbsent: true });
  } finally {
    await changes.close();
  }
}
