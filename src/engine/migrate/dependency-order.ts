import type { ObjectPlan } from '../../mapping/plan/plan-types.js';

/**
 * Runs `task` for every object once the objects it depends on have finished, at most
 * `parallelism` at a time. A failure of one object does not stop the others unless it throws.
 */
export async function runInDependencyOrder(
  objects: readonly ObjectPlan[],
  parallelism: number,
  task: (o: ObjectPlan) => Promise<unknown>,
): Promise<void> {
  const done = new Set<string>();
  const running = new Map<string, Promise<void>>();
  const pending = [...objects];
  let failure: unknown;
  while (pending.length > 0 || running.size > 0) {
    if (failure === undefined) {
      for (let i = 0; i < pending.length && running.size < parallelism; ) {
        const o = pending[i];
        if (o.dependsOn.every((d) => done.has(d))) {
          pending.splice(i, 1);
          running.set(
            o.name,
            task(o).then(
              () => {
                done.add(o.name);
                running.delete(o.name);
              },
              (err: unknown) => {
                failure ??= err;
                running.delete(o.name);
              },
            ),
          );
        } else i++;
      }
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  if (failure !== undefined) throw failure;
}
