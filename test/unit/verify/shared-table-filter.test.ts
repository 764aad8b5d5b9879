import { expect, it } from 'vitest';
import { sharedTableFilter } from '../../../src/engine/verify/verify.js';
import { compilePlan } from '../../../src/mapping/plan/compile-plan.js';
import { parseProject } from '../../../src/mapping/project/load-project.js';

const plan = (tasksType: string) =>
  compilePlan(
    parseProject(
      `source: { url: "sqlite:a.db" }
target: { url: "sqlite:b.db" }
objects:
  tasks:
    source: { table: tasks, key: id }
    target: { table: tasks, key: id }
    fields: { id: id, type: { value: ${tasksType} } }
  calls:
    source: { table: calls, key: id }
    target: { table: tasks, key: id }
    fields: { id: id, type: { value: "it's a call" } }
  notes:
    source: { table: notes, key: id }
    target: { table: notes, key: id }
    fields: { id: id, type: { value: note } }
`,
      'p.yaml',
    ),
  );

it('restricts objects that share a target table to their own rows by their constant field', () => {
  const p = plan('task');
  const calls = p.objects.find((o) => o.name === 'calls')!;
  expect(sharedTableFilter(p, calls, 'sqlite')).toBe(`"type" = 'it''s a call'`);
  expect(sharedTableFilter(p, calls, 'mysql')).toBe("`type` = 'it''s a call'");
  expect(sharedTableFilter(p, p.objects.find((o) => o.name === 'notes')!, 'postgres')).toBeUndefined();
});

it('finds no filter when the constants do not tell the objects apart', () => {
  const p = plan('"it\'s a call"');
  expect(sharedTableFilter(p, p.objects.find((o) => o.name === 'calls')!, 'sqlite')).toBeUndefined();
});
