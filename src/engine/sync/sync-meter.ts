import type { LedgerCounts } from '../../state/state-store.js';
import { emptyLedger } from '../ledger.js';
import { addRemoval } from './apply-keys.js';
import { emptyRemoval, type RemovalCounts } from './target-removal.js';

/** What a sync run reports periodically and at its end (`--json` prints it as is). */
export interface SyncStatus {
  readonly mode: SyncMode;
  /** Changes (log events, polled rows, snapshot differences) applied so far. */
  readonly events: number;
  /** Source transactions (CDC) or batches (poll, snapshot) applied. */
  readonly batches: number;
  readonly eventsPerSecond: number;
  /** Seconds between the last applied change's commit in the source and its checkpoint here. */
  readonly lagSeconds?: number;
  /** p50 / p99 of that end-to-end lag over the run, in seconds. */
  readonly lagP50?: number;
  readonly lagP99?: number;
  /** Log the source retains for this feed (PostgreSQL slot), in bytes. */
  readonly retainedBytes?: number;
  /** Rows rejected by the mapping or the target (see `crmbridge rejects`). */
  readonly errors: number;
  readonly ledger: LedgerCounts;
  readonly removal: RemovalCounts;
  readonly position?: string;
  /** Two-way only: target rows read back, source rows written from them, and fields in conflict (see `crmbridge conflicts`). */
  readonly reverse?: { readonly events: number; readonly written: number; readonly conflicts: number };
  readonly seconds: number;
}

export type SyncMode = 'cdc' | 'poll' | 'snapshot';

/** Counters for one sync run; lag samples are kept (bounded) for the percentiles. */
export class SyncMeter {
  private readonly started = Date.now();
  private events = 0;
  private batches = 0;
  private lag: number | undefined;
  private readonly lags: number[] = [];
  private position: string | undefined;
  private retained: number | undefined;
  private readonly removal = emptyRemoval();
  private reverse: { events: number; written: number; conflicts: number } | undefined;

  constructor(
    private readonly mode: SyncMode,
    private readonly ledgers: ReadonlyMap<string, LedgerCounts>,
  ) {}

  /** One applied and checkpointed batch of changes; `commitTime` of its last source transaction. */
  applied(events: number, removal: RemovalCounts, position: string | undefined, commitTimes: readonly (string | undefined)[]): void {
    this.events += events;
    this.batches += 1;
    addRemoval(this.removal, removal);
    if (position !== undefined) this.position = position;
    const now = Date.now();
    for (const t of commitTimes) {
      if (t === undefined) continue;
      this.lag = Math.max(0, (now - Date.parse(t)) / 1000);
      if (this.lags.length < 1_000_000) this.lags.push(this.lag);
    }
  }

  /** One applied batch of the target → source direction: `events` target keys, `written` source rows, `conflicts` fields. */
  reversed(events: number, written: number, conflicts = 0): void {
    const r = this.reverse ?? { events: 0, written: 0, conflicts: 0 };
    this.reverse = { events: r.events + events, written: r.written + written, conflicts: r.conflicts + conflicts };
  }

  retainedBytes(bytes: number | undefined): void {
    this.retained = bytes;
  }

  status(): SyncStatus {
    const seconds = (Date.now() - this.started) / 1000;
    const ledger = emptyLedger();
    for (const l of this.ledgers.values())
      for (const k of Object.keys(ledger) as (keyof LedgerCounts)[]) ledger[k] = (ledger[k] ?? 0) + (l[k] ?? 0);
    const sorted = [...this.lags].sort((a, b) => a - b);
    const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
    return {
      mode: this.mode,
      events: this.events,
      batches: this.batches,
      eventsPerSecond: seconds > 0 ? this.events / seconds : 0,
      ...(this.lag !== undefined ? { lagSeconds: this.lag } : {}),
      ...(sorted.length > 0 ? { lagP50: pct(0.5), lagP99: pct(0.99) } : {}),
      ...(this.retained !== undefined ? { retainedBytes: this.retained } : {}),
      errors: ledger.rejected,
      ledger,
      removal: { ...this.removal },
      ...(this.position !== undefined ? { position: this.position } : {}),
      ...(this.reverse ? { reverse: { ...this.reverse } } : {}),
      seconds,
    };
  }
}
