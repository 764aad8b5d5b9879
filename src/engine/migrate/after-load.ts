import type { Writer } from '../../connectors/contract.js';
import { isCrmError } from '../../core/errors/index.js';
import type { TableSchema } from '../../core/types.js';
import type { Plan } from '../../mapping/plan/plan-types.js';
import type { StateStore } from '../../state/state-store.js';
import type { EventSink } from '../events.js';

/**
 * What a migration does to the target once its rows are in: sequences moved past the migrated
 * keys, and the deferred indexes and foreign keys of the tables it created. Failures here leave
 * the data intact, so they are warnings that say what to run, not a failed run.
 */

/**
 * Rows were written with explicit keys: the target's sequences (serial, identity) move past
 * them, or the new CRM's next insert would collide with a migrated row. A failure leaves the
 * data intact, so it is a warning that says what to run, not a failed run.
 */
export async function advanceSequences(writer: Writer, tables: ReadonlySet<string>, emit: EventSink): Promise<void> {
  if (!writer.advanceSequences) return;
  for (const table of tables) {
    await orWarning(
      emit,
      () => writer.advanceSequences!(table),
      `the sequences of ${table} were not moved past the migrated keys: run SELECT setval(…) for them before the application inserts`,
    );
  }
}

/** The tables this run and every earlier run of the plan left to complete (completing is idempotent). */
export async function tablesToComplete(state: StateStore, plan: Plan, own: readonly TableSchema[]): Promise<TableSchema[]> {
  const tables = new Map(own.map((t) => [t.name, t]));
  for (const run of await state.listRuns(100)) {
    if (run.kind !== 'migrate' || run.planHash !== plan.hash) continue;
    const deferred = (run.options.completeAfterLoad ?? []) as TableSchema[];
    for (const t of deferred) if (!tables.has(t.name)) tables.set(t.name, t);
  }
  return [...tables.values()];
}

/**
 * The deferred indexes and foreign keys, the keys checked over the loaded rows. Every reference
 * was remapped or rejected, so they hold; if the target refuses one anyway, the data stays as
 * loaded and the warning says what failed.
 */
export async function completeTables(writer: Writer, tables: readonly TableSchema[], emit: EventSink): Promise<void> {
  if (!writer.completeTables || tables.length === 0) return;
  await orWarning(
    emit,
    () => writer.completeTables!(tables),
    `the indexes and foreign keys of ${tables.map((t) => t.name).join(', ')} were not added; fix the rows it names, then run migrate again`,
  );
}

/** Runs a finishing step; a user error becomes a warning saying what was left undone. */
async function orWarning(emit: EventSink, step: () => Promise<void>, undone: string): Promise<void> {
  try {
    await step();
  } catch (err) {
    if (!isCrmError(err)) throw err;
    emit({ type: 'warning', message: `${err.format()} — ${undone}` });
  }
}
