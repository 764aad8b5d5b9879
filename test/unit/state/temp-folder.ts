import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { openStateStore, type StateStore } from '../../../src/state/index.js';

const folders: string[] = [];
const stores: StateStore[] = [];

afterEach(async () => {
  await Promise.allSettled(stores.splice(0).map((s) => s.close()));
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A fresh temp folder, removed after the test. */
export function tempFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'crmbridge-state-'));
  folders.push(folder);
  return folder;
}

/** A store on a real SQLite file in a fresh temp folder (`<tmp>/.crmbridge/state.db`), closed after the test. */
export async function tempStore(folder = join(tempFolder(), '.crmbridge')): Promise<{ store: StateStore; folder: string }> {
  const store = await openStateStore(folder);
  stores.push(store);
  return { store, folder };
}

export const ZERO_LEDGER = { read: 0, created: 0, updated: 0, unchanged: 0, rejected: 0, filtered: 0 };

export const RUN = { kind: 'migrate', dryRun: false, planHash: 'plan-1', options: {} } as const;
