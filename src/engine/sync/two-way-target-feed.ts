import type { ChangedKeys } from './change-router.js';

/** Target keys that changed (inserted, updated or deleted: the target is re-read to tell) and how to checkpoint them. */
export interface TargetBatch {
  /** Target keys (`encodeKey` text) per object name. */
  readonly changed: ChangedKeys;
  /** Changes this batch stands for (log events, polled rows, vanished keys), for the status. */
  readonly events: number;
  /** Stores the batch's position: call only after the source writes it covers committed. */
  commit(): Promise<void>;
}

/**
 * Where the reverse direction of two-way sync learns which target rows changed: the target's
 * change log (`two-way-target-log.ts`) or polling (`two-way-target-poll.ts`). One reverse round
 * reads up to what the target holds now and ends.
 */
export interface TargetFeed {
  /**
   * Starts retaining the target's changes if it has not yet (a log: its slot and first position).
   * Called before the baseline is taken: a target edit made after the baseline's read must be in
   * the feed, or nothing would ever carry it to the source.
   */
  start?(): Promise<void>;
  /** `lookbackSeconds`: polling re-reads this much before its watermark (late commits). */
  batches(options: { readonly signal: AbortSignal; readonly lookbackSeconds: number }): AsyncIterable<TargetBatch>;
  close(): Promise<void>;
}
