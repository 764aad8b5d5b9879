/** Sync as a library: `sync()` runs one sync (see `crmbridge sync`), with its events and status types. */
export { DEFAULT_FEED, recordHandoffPosition } from './handoff.js';
export { type SyncOptions, type SyncResult, sync } from './sync.js';
export type { SyncEvent, SyncEventSink } from './sync-events.js';
export type { SyncMode, SyncStatus } from './sync-meter.js';
