import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DistinctValues } from '../mapping/plan/preflight.js';
import type { Analysis } from '../schema/analysis-types.js';
import { stateFolder } from './project-paths.js';

/** Picklist values from the saved analysis (`crmbridge analyze`), when there is one. */
export function distinctValuesFromAnalysis(projectFile: string): DistinctValues | undefined {
  const path = join(stateFolder(projectFile), 'analysis.json');
  if (!existsSync(path)) return undefined;
  const analysis = JSON.parse(readFileSync(path, 'utf8')) as Analysis;
  return (table, column) =>
    analysis.tables
      .find((t) => t.name === table)
      ?.columns.find((c) => c.name === column)
      ?.topValues?.map((v) => v.value);
}
