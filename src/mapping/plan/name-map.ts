import { duplicatePhysicalNames, type LogicalNames, logicalSchema, shortenIdentifier } from '../../core/identifiers.js';
import type { DatabaseSchema } from '../../core/types.js';
import type { Plan, PlanProblem } from './plan-types.js';

/**
 * The plan's side of the one name map (see `core/identifiers.ts`): the logical target names a
 * plan writes, and the introspected target seen under them. Every command that introspects the
 * target for a plan (design, plan, migrate, verify, repair, sync) reads it through `targetView`.
 */

/** Every target table of the plan with the columns it writes (keys and sync columns included). */
export function planTargetNames(plan: Plan): LogicalNames {
  const names = new Map<string, Set<string>>();
  for (const object of plan.objects) {
    const columns = names.get(object.target.table) ?? new Set<string>();
    for (const c of [...object.target.key, ...object.target.columns, ...syncColumns(object.sync)]) columns.add(c);
    names.set(object.target.table, columns);
  }
  return new Map([...names].map(([t, cs]) => [t, [...cs]]));
}

/** The target columns a `sync:` block names (updatedAt and soft-delete columns). */
function syncColumns(sync: Readonly<Record<string, unknown>> | undefined): string[] {
  const target = (block: unknown) => (block && typeof block === 'object' && 'target' in block ? block.target : undefined);
  return [target(sync?.updatedAt), target(sync?.softDelete)].filter((c): c is string => typeof c === 'string');
}

/** The introspected target with the plan's tables and columns under their logical names. */
export function targetView(plan: Plan, schema: DatabaseSchema, maxIdentifierBytes: number): DatabaseSchema {
  return logicalSchema(schema, planTargetNames(plan), maxIdentifierBytes);
}

/**
 * Pre-flight: names longer than the target's identifier limit are stored shortened (a warning,
 * so the user knows what to look for in the database), and names that would share one stored
 * identifier are an error before anything is created.
 */
export function identifierProblems(plan: Plan, maxIdentifierBytes: number): PlanProblem[] {
  if (!Number.isFinite(maxIdentifierBytes)) return [];
  const problems: PlanProblem[] = [];
  const names = planTargetNames(plan);
  const long = (n: string) => Buffer.byteLength(n) > maxIdentifierBytes;
  const stored = (n: string) => `"${n}" is stored as "${shortenIdentifier(n, maxIdentifierBytes)}"`;
  const tooLong = `longer than the target's ${maxIdentifierBytes}-byte identifier limit`;
  for (const group of duplicatePhysicalNames([...names.keys()], maxIdentifierBytes)) {
    problems.push({ severity: 'error', code: 'CRM_M5011', message: `target tables ${group.join(', ')} would share one identifier` });
  }
  for (const [table, columns] of names) {
    if (long(table)) problems.push({ severity: 'warning', code: 'CRM_M5012', message: `target table ${stored(table)} (${tooLong})` });
    for (const group of duplicatePhysicalNames(columns, maxIdentifierBytes)) {
      problems.push({
        severity: 'error',
        code: 'CRM_M5011',
        message: `columns ${group.join(', ')} of ${table} would share one identifier`,
      });
    }
    for (const c of columns.filter(long)) {
      problems.push({ severity: 'warning', code: 'CRM_M5012', message: `column ${stored(c)} in ${table} (${tooLong})` });
    }
  }
  return problems;
}
