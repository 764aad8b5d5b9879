import { randomBytes } from 'node:crypto';

/**
 * A run id: UTC start time to the second plus 16 random bits, e.g. `20261124-142400-7f3a`.
 * Ids sort by start time as plain text (file names, `ORDER BY id`); two runs started in the same
 * second differ by the random part, and the store's primary key turns the rare clash into an error
 * rather than a merge.
 */
export function newRunId(now: Date = new Date()): string {
  const iso = now.toISOString(); // 2026-11-24T14:24:00.000Z
  const date = iso.slice(0, 10).replaceAll('-', '');
  const time = iso.slice(11, 19).replaceAll(':', '');
  return `${date}-${time}-${randomBytes(2).toString('hex')}`;
}
