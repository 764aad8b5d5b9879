/**
 * crmbridge as a library: every command of the CLI is a function here, over the same objects.
 *
 * @example
 * const source = await openConnector('sqlite:legacy.db');
 * const analysis = await analyze(source);
 */

export type * from './connectors/contract.js';
export { openConnector } from './connectors/registry.js';
export { parseCanonicalText, toCanonicalText } from './core/canonical.js';
export { CrmError, ERROR_CODES, type ErrorCode, redact } from './core/errors/index.js';
export type * from './core/types.js';
export { type MigrateOptions, type MigrateResult, migrate } from './engine/migrate/migrate.js';
export { repair } from './engine/repair/repair.js';
export { rollback } from './engine/rollback.js';
export { diffTables } from './engine/verify/table-diff.js';
export { verify } from './engine/verify/verify.js';
export { designTargetSchema } from './mapping/design/design-target.js';
export { compilePlan } from './mapping/plan/compile-plan.js';
export type { ObjectPlan, Plan, PlanProblem } from './mapping/plan/plan-types.js';
export { preflight } from './mapping/plan/preflight.js';
export { loadProject, parseProject, projectJsonSchema } from './mapping/project/load-project.js';
export type { ProjectFile } from './mapping/project/project-schema.js';
export { suggestMapping } from './mapping/suggest/suggest-mapping.js';
export { generateLegacyCrm, writeLegacyCrm, writeLegacyCrmCsvExport } from './sample/index.js';
export { type Analysis, analyze, renderAnalysis } from './schema/index.js';
export { openStateStore } from './state/index.js';
export type { LedgerEntry, RunRecord, StateStore } from './state/state-store.js';
