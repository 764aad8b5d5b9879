import type { Connector } from '../../connectors/contract.js';
import { isCrmError } from '../../core/errors/index.js';
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
 *
 * A source whose log is off or unusable (MySQL without a ROW binlog, PostgreSQL below
 * wal_level=logical) does not stop the migration: poll and snapshot sync need no log. What
 * `--mode cdc` would need is returned as a warning instead.
 */
export async function recordHandoffPosition(
  plan: Plan,
  source: Connector,
  state: StateStore,
  feed = DEFAULT_FEED,
): Promise<string | undefined> {
  if (!source.changes || !plan.objects.some((o) => o.sync)) return undefined;
  const changes = source.changes(feedOptions(plan, feed));
  try {
    const { position } = await changes.prepare();
    await state.setSyncPosition(cdcPositionName(feed), position, { ifAbsent: true });
    return undefined;
  } catch (err) {
    if (!isCrmError(err) || err.code !== 'CRM_N2006') throw err;
    return `no change-log position recorded for sync (${err.message}). \`crmbridge sync --mode poll\` (objects with sync.updatedAt.source) and \`--mode snapshot\` work without it; for \`--mode cdc\`, enable the log and migrate again, or start cdc later and run \`crmbridge sync --once --mode snapshot\` once to take in what changed before`;
  } finally {
    await changes.close();
  }
}
