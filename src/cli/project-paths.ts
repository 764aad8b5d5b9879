import { dirname, join, resolve } from 'node:path';
import { openStateStore, type StateStore } from '../state/index.js';
import { privateFolder } from './private-files.js';

export const DEFAULT_PROJECT_FILE = 'crmbridge.yaml';

/** The state folder of a project: `.crmbridge/` beside the project file, readable by its owner only (0700). */
export function stateFolder(projectFile: string = DEFAULT_PROJECT_FILE): string {
  const folder = join(dirname(resolve(projectFile)), '.crmbridge');
  return privateFolder(folder);
}

/**
 * Opens the project's state store, saying so on stderr when an existing one is first brought to
 * a newer schema: on a large state that can take a while (schema 8 rewrites the id map).
 */
export function openProjectState(projectFile?: string): Promise<StateStore> {
  return openStateStore(stateFolder(projectFile), {
    onUpgrade: (from, to) =>
      process.stderr.write(`upgrading the state database from schema ${from} to ${to} (once; may take a while on a large state)\n`),
  });
}
