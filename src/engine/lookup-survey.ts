import type { Connector } from '../connectors/contract.js';
import type { Plan, PlanProblem } from '../mapping/plan/plan-types.js';
import { looseText } from '../mapping/row-mapper.js';
import { sourceTableColumns } from './migrate/migrate.js';
import { fieldsView, sourceBatches } from './migrate/source-batches.js';

/** Per lookup field: the source rows whose value matches several different values, and those values. */
interface FieldSurvey {
  rows: number;
  readonly matched: Map<string, readonly string[]>;
}

/** Example values named in a warning, at most. */
const EXAMPLES = 3;

/**
 * `plan`'s survey of the lookups that pick one value (first/rest): reads every source row of the
 * objects that have one, with only its key and the lookups (one `readByKeys` per batch, as
 * migrate does), and warns (CRM_M5010) per field with how many source values match several
 * different values and how many source rows the run will therefore reject — or leave NULL,
 * under `onAmbiguous: null`. A full read of those tables: `plan` does it, `migrate` does not
 * (it finds the same rows as it goes).
 */
export async function surveyLookups(source: Connector, plan: Plan): Promise<PlanProblem[]> {
  const tableColumns = await sourceTableColumns(source, plan);
  const problems: PlanProblem[] = [];
  for (const object of plan.objects) {
    const view = fieldsView(
      object,
      object.fields.filter((f) => f.lookup && f.lookup.pick !== 'all'),
    );
    if (view.fields.length === 0) continue;
    const fields = new Map(view.fields.map((f) => [f.target, { rows: 0, matched: new Map() } as FieldSurvey]));
    let read = 0;
    for await (const batch of sourceBatches(source, view, { batchSize: plan.options.batchSize, tableColumns })) {
      read += batch.rows.length;
      for (const found of batch.ambiguous.values()) {
        for (const a of found) {
          const survey = fields.get(a.field)!;
          survey.rows++;
          survey.matched.set(looseText(a.matched) ?? '', a.ambiguity.candidates);
        }
      }
    }
    for (const f of view.fields) {
      const survey = fields.get(f.target)!;
      if (survey.rows === 0) continue;
      const lookup = f.lookup!;
      const examples = [...survey.matched]
        .slice(0, EXAMPLES)
        .map(
          ([value, candidates]) => `${JSON.stringify(value)} → ${candidates.slice(0, 5).join(', ')}${candidates.length > 5 ? ', …' : ''}`,
        )
        .join('; ');
      const outcome = lookup.onAmbiguous === 'null' ? 'left NULL (onAmbiguous: null)' : 'rejected as ambiguous_reference';
      problems.push({
        severity: 'warning',
        code: 'CRM_M5010',
        object: object.name,
        field: f.target,
        message:
          `${lookup.table}.${lookup.match} is not unique for this lookup: ${survey.matched.size} source values match several ` +
          `different ${lookup.value} (${examples}${survey.matched.size > EXAMPLES ? '; …' : ''}), so ${survey.rows} of ${read} rows will be ${outcome}`,
      });
    }
  }
  return problems;
}
