import type { RunStatus } from '../../state/state-store.js';
import type { SyncMode, SyncStatus } from './sync-meter.js';

/** What a sync run tells its observers (the CLI prints them; `--json` as one JSON object a line). */
export type SyncEvent =
  | { readonly type: 'sync-started'; readonly runId: string; readonly mode: SyncMode; readonly from?: string; readonly follow: boolean }
  | { readonly type: 'sync-status'; readonly status: SyncStatus }
  | { readonly type: 'warning'; readonly object?: string; readonly message: string }
  | { readonly type: 'sync-finished'; readonly runId: string; readonly status: RunStatus; readonly summary: SyncStatus };

export type SyncEventSink = (event: SyncEvent) => void;
