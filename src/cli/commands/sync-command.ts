import type { Command } from '@commander-js/extra-typings';
import { CrmError } from '../../core/errors/index.js';
import { feedOptions } from '../../engine/sync/change-router.js';
import { DEFAULT_FEED } from '../../engine/sync/handoff.js';
import { sync } from '../../engine/sync/sync.js';
import type { SyncEvent } from '../../engine/sync/sync-events.js';
import type { SyncMode, SyncStatus } from '../../engine/sync/sync-meter.js';
import { targetFeedOptions } from '../../engine/sync/two-way-target-log.js';
import { lockProject } from '../command-lock.js';
import { introspectTarget } from '../prepare-target.js';
import { openProject } from '../project-context.js';
import { runAction } from '../run-action.js';

export function registerSync(program: Command): void {
  program
    .command('sync')
    .description('Keep the target consistent with the source after a migration: change log (cdc), updatedAt polling, or snapshot diff')
    .option('-p, --project <file>', 'project file', 'crmbridge.yaml')
    .option('--once', 'catch up with the source and stop (the default)')
    .option('--follow', 'keep following changes until SIGINT/SIGTERM (finishes the batch in hand and checkpoints)')
    .option('--mode <mode>', 'cdc | poll | snapshot (default: cdc when the source has a change log, else snapshot)')
    .option('--feed <name>', 'name of the change feed (replication slot); migrate hands off to the default', DEFAULT_FEED)
    .option('--lookback <seconds>', 'poll: seconds re-read before the watermark, for late commits', '60')
    .option('--interval <ms>', 'poll and snapshot with --follow: pause between rounds', '1000')
    .option('--lag-warn-mb <n>', 'warn when the source retains more log than this for the feed', '1024')
    .option('--status-every <seconds>', 'print lag, events/s and errors this often', '5')
    .option(
      '--two-way',
      'also apply target changes to the source: edits, rows created and deleted (the target log in cdc mode, else sync.updatedAt.target and a key-set scan; conflicts per sync.conflict, see `crmbridge conflicts`)',
    )
    .option(
      '--drop-slot',
      'remove the feed from the source (PostgreSQL slot and publication), and the two-way feed from the target, and exit',
    )
    .option('--json', 'print events as JSON, one a line')
    .option('--no-custom', 'refuse a mapping that runs custom transform code (a project file from an untrusted source)')
    .action(runAction(runSync));
}

export interface SyncCommandOptions {
  project: string;
  once?: boolean;
  follow?: boolean;
  mode?: string;
  feed: string;
  lookback: string;
  interval: string;
  lagWarnMb: string;
  statusEvery: string;
  dropSlot?: boolean;
  twoWay?: boolean;
  json?: boolean;
  /** false (`--no-custom`): refuse a mapping that runs custom module code. */
  custom?: boolean;
}

const MODES: readonly SyncMode[] = ['cdc', 'poll', 'snapshot'];

/** `crmbridge sync`. Exit code 0: caught up; 1: an object was stopped by schema drift; 2: error. */
export async function runSync(opts: SyncCommandOptions): Promise<number> {
  if (opts.once && opts.follow) throw new CrmError('CRM_C1003', 'choose one of --once and --follow');
  if (opts.mode !== undefined && !MODES.includes(opts.mode as SyncMode)) {
    throw new CrmError('CRM_C1003', `--mode must be one of ${MODES.join(', ')} (got ${opts.mode})`);
  }
  const ctx = await openProject(opts.project, { custom: opts.custom !== false });
  const lock = await lockProject(ctx, 'sync').catch(async (err: unknown) => {
    await ctx.close();
    throw err;
  });
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const source = await ctx.source();
    if (opts.dropSlot) {
      if (!source.changes) throw new CrmError('CRM_N2006', `the ${source.name} source has no change log to drop`);
      const feed = source.changes(feedOptions(ctx.plan, opts.feed));
      await feed.drop();
      await feed.close();
      process.stdout.write(`Dropped the change feed ${opts.feed} from the source.\n`);
      // Two-way in cdc mode read the target's log through a feed of its own (a no-op when there is none).
      const target = await ctx.target();
      if (target.changes) {
        const reverse = target.changes(targetFeedOptions(ctx.plan, opts.feed));
        await reverse.drop();
        await reverse.close();
      }
      return lock.succeeded(0);
    }
    const target = await ctx.target();
    const mode = (opts.mode as SyncMode | undefined) ?? (source.changes ? 'cdc' : 'snapshot');
    const result = await sync({
      plan: ctx.plan,
      source,
      target,
      state: ctx.state,
      targetSchema: await introspectTarget(target, ctx.plan),
      mode,
      follow: opts.follow ?? false,
      feed: opts.feed,
      lookbackSeconds: Number(opts.lookback),
      intervalMs: Number(opts.interval),
      lagWarnBytes: Number(opts.lagWarnMb) * 1024 ** 2,
      statusEveryMs: Number(opts.statusEvery) * 1000,
      twoWay: opts.twoWay ?? false,
      transformContext: ctx.transformContext,
      signal: controller.signal,
      onEvent: opts.json ? (e) => process.stdout.write(`${JSON.stringify(e)}\n`) : printEvent,
    });
    return lock.succeeded(result.status === 'completed' ? 0 : 1);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await lock.release();
    await ctx.close();
  }
}

function printEvent(event: SyncEvent): void {
  switch (event.type) {
    case 'sync-started':
      process.stderr.write(`Sync run ${event.runId}: ${event.mode}, ${event.follow ? 'following (Ctrl-C stops)' : 'catching up once'}\n`);
      return;
    case 'sync-status':
      process.stderr.write(`${statusLine(event.status)}\n`);
      return;
    case 'warning':
      process.stderr.write(`warning: ${event.object ? `${event.object}: ` : ''}${event.message}\n`);
      return;
    case 'sync-finished':
      process.stdout.write(
        `${statusLine(event.summary)}\nSync run ${event.runId} ${event.status} in ${event.summary.seconds.toFixed(1)} s.\n`,
      );
      return;
  }
}

function statusLine(s: SyncStatus): string {
  const { ledger: l, removal: r } = s;
  const parts = [
    `${s.events} changes (${s.eventsPerSecond.toFixed(0)}/s)`,
    `created ${l.created}, updated ${l.updated}, unchanged ${l.unchanged}, deleted ${r.deleted}, soft-deleted ${r.softDeleted}`,
    `errors ${s.errors}`,
  ];
  if (r.childrenDeleted + r.childrenNulled > 0) parts.push(`children deleted ${r.childrenDeleted}, references cleared ${r.childrenNulled}`);
  if (s.lagSeconds !== undefined) parts.push(`lag ${s.lagSeconds.toFixed(2)} s`);
  if (s.reverse) parts.push(`to the source: ${s.reverse.written} written, ${s.reverse.conflicts} conflicts`);
  if (s.retainedBytes !== undefined) parts.push(`log retained ${(s.retainedBytes / 1024 ** 2).toFixed(1)} MiB`);
  return `sync: ${parts.join('; ')}`;
}
