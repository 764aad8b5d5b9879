import type { LedgerCounts, LedgerEntry, RunStatus } from '../state/state-store.js';

/** What a run tells its observers (the CLI's progress display, `--json`, the report). */
export type MigrateEvent =
  | {
      readonly type: 'run-started';
      readonly runId: string;
      readonly dryRun: boolean;
      readonly objects: readonly string[];
      readonly resumed: boolean;
    }
  | { readonly type: 'object-started'; readonly object: string; readonly pass: number; readonly estimate?: number }
  | {
      readonly type: 'progress';
      readonly object: string;
      readonly pass: number;
      readonly ledger: LedgerCounts;
      readonly rowsPerSecond: number;
      readonly etaSeconds?: number;
    }
  | {
      readonly type: 'object-finished';
      readonly object: string;
      readonly pass: number;
      readonly status: 'ok' | 'failed' | 'skipped' | 'stopped';
      readonly ledger: LedgerCounts;
      readonly seconds: number;
      readonly error?: string;
    }
  | { readonly type: 'warning'; readonly object?: string; readonly message: string }
  | {
      readonly type: 'run-finished';
      readonly runId: string;
      readonly status: RunStatus;
      readonly ledger: readonly LedgerEntry[];
      readonly seconds: number;
    };

export type EventSink = (event: MigrateEvent) => void;
