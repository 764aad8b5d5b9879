import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const DEFAULT_PROJECT_FILE = 'crmbridge.yaml';

/** The state folder of a project: `.crmbridge/` beside the project file. */
export function stateFolder(projectFile: string = DEFAULT_PROJECT_FILE): string {
  const folder = join(dirname(resolve(projectFile)), '.crmbridge');
  mkdirSync(folder, { recursive: true });
  return folder;
}
