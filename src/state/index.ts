import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { CrmError } from '../core/errors/index.js';
import { SqliteStateStore, type SqliteStateStoreOptions } from './sqlite-state-store.js';
import type { StateStore } from './state-store.js';

export { newRunId } from './run-id.js';
export { SqliteStateStore, type SqliteStateStoreOptions } from './sqlite-state-store.js';
export { STATE_SCHEMA_VERSION } from './state-schema.js';
export type * from './state-store.js';

export const STATE_DB_FILE = 'state.db';

/**
 * Opens the project's state store at `<folder>/state.db` (e.g. `<project>/.crmbridge`), creating
 * the folder if needed. The state holds rejected records (personal data): the folder is created
 * 0700 and the database 0600 before SQLite opens it, so that its -wal and -shm files, which
 * SQLite creates with the database's mode, are private too. Existing files are tightened.
 */
export async function openStateStore(folder: string, options: SqliteStateStoreOptions = {}): Promise<StateStore> {
  const path = join(folder, STATE_DB_FILE);
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    closeSync(openSync(path, 'a', 0o600));
    for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) chmodSync(file, 0o600);
  } catch (err) {
    throw new CrmError('CRM_E6004', `cannot create the state folder: ${err instanceof Error ? err.message : String(err)}`, {
      location: { file: path },
      cause: err,
    });
  }
  return SqliteStateStore.open(path, options);
}
