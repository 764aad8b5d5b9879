import type { Value } from '../../core/types.js';
import { formatSeconds, SECONDS_PER_DAY } from '../calendar.js';
import { SPACE } from '../crm-plan.js';
import { datetimeBetween, description, optional, picklist } from '../dirt.js';
import { Rng } from '../prng.js';
import { AUDIT_COLUMNS, defineTable, index } from '../table-spec.js';
import { activityParent } from './activity-parent.js';
import { assignedUser, audit, softDeleted } from './bean-columns.js';
import type { LegacyTableGenerator, TableContext } from './table-context.js';

const parentIndexes = (table: string) => [index(table, ['parent_type', 'parent_id']), index(table, ['contact_id'])];

const notes = defineTable(
  'notes',
  [
    ['id', 'char(36)'],
    ['assigned_user_id', 'char(36)'],
    ...AUDIT_COLUMNS,
    ['name', 'varchar(255)'],
    ['file_mime_type', 'varchar(100)'],
    ['filename', 'varchar(255)'],
    ['parent_type', 'varchar(255)'],
    ['parent_id', 'char(36)'],
    ['contact_id', 'char(36)'],
    ['portal_flag', 'tinyint(1)'],
    ['embed_flag', 'tinyint(1)'],
    ['description', 'text'],
    ['deleted', 'tinyint(1)'],
  ],
  { indexes: parentIndexes('notes') },
);

const ATTACHMENTS = [
  ['application/pdf', 'proposal.pdf'],
  ['image/png', 'screenshot.png'],
  ['application/vnd.ms-excel', 'pricing Q3.xls'],
  ['text/plain', 'notes.txt'],
] as const;

/** Notes: exactly max(1, notes/500) of them point at parents that do not exist (planted orphans). */
function* noteRows(context: TableContext): Iterable<Value[]> {
  const { plan, tally } = context;
  for (let i = 0; i < plan.sizes.notes; i++) {
    const rng = new Rng(plan.rowSeed(SPACE.notes, i));
    const attachment = rng.chance(0.15) ? rng.pick(ATTACHMENTS) : undefined;
    yield notes.toRow({
      id: plan.id(SPACE.notes, i),
      assigned_user_id: assignedUser(context, rng, 'notes', SPACE.notes, i),
      ...audit(context, rng, 'notes', SPACE.notes, i),
      name: rng.pick(plan.pools.phrases),
      file_mime_type: attachment ? attachment[0] : tally.nul('notes.file_mime_type'),
      filename: attachment ? attachment[1] : tally.nul('notes.filename'),
      ...activityParent(context, rng, 'notes', plan.isOrphan(SPACE.notes, i, plan.sizes.notes)),
      portal_flag: false,
      embed_flag: false,
      description: description(rng, tally, 'notes.description', plan.pools.phrases),
      deleted: softDeleted(context, rng, 'notes'),
    });
  }
}

const calls = defineTable(
  'calls',
  [
    ['id', 'char(36)'],
    ['name', 'varchar(50)'],
    ...AUDIT_COLUMNS,
    ['description', 'text'],
    ['deleted', 'tinyint(1)'],
    ['assigned_user_id', 'char(36)'],
    ['duration_hours', 'int(2)'],
    ['duration_minutes', 'int(2)'],
    ['date_start', 'datetime'],
    ['date_end', 'datetime'],
    ['parent_type', 'varchar(255)'],
    ['status', 'varchar(100)'],
    ['direction', 'varchar(100)'],
    ['parent_id', 'char(36)'],
    ['contact_id', 'char(36)'],
    ['reminder_time', 'int(11)'],
  ],
  { indexes: parentIndexes('calls') },
);

const CALL_SUBJECTS = ['Follow-up call', 'Discovery call', 'Quarterly review', 'Renewal discussion', 'Support escalation', 'Intro call'];

function* callRows(context: TableContext): Iterable<Value[]> {
  const { plan, tally } = context;
  for (let i = 0; i < plan.sizes.calls; i++) {
    const rng = new Rng(plan.rowSeed(SPACE.calls, i));
    const start = datetimeBetween(rng, tally, 'calls.date_start', 2009, 2026);
    const hours = rng.chance(0.9) ? 0 : rng.between(1, 2);
    const minutes = rng.pick([0, 5, 15, 30, 45]);
    yield calls.toRow({
      id: plan.id(SPACE.calls, i),
      name: `${rng.pick(CALL_SUBJECTS)}${rng.chance(0.3) ? ` #${rng.between(2, 9)}` : ''}`,
      ...audit(context, rng, 'calls', SPACE.calls, i),
      description: description(rng, tally, 'calls.description', plan.pools.phrases),
      deleted: softDeleted(context, rng, 'calls'),
      assigned_user_id: assignedUser(context, rng, 'calls', SPACE.calls, i),
      duration_hours: hours,
      duration_minutes: minutes,
      date_start: formatSeconds(start),
      date_end: formatSeconds(start + hours * 3600 + minutes * 60),
      status: picklist(rng, tally, 'calls.status', 0),
      direction: optional(rng, tally, 'calls.direction', 0.1, 0.05, () => picklist(rng, tally, 'calls.direction', 0)),
      reminder_time: rng.chance(0.7) ? -1 : rng.pick([60, 300, 900, 1800]),
      ...activityParent(context, rng, 'calls', false),
    });
  }
}

const tasks = defineTable(
  'tasks',
  [
    ['id', 'char(36)'],
    ['name', 'varchar(50)'],
    ...AUDIT_COLUMNS,
    ['description', 'text'],
    ['deleted', 'tinyint(1)'],
    ['assigned_user_id', 'char(36)'],
    ['status', 'varchar(100)'],
    ['date_due_flag', 'tinyint(1)'],
    ['date_due', 'datetime'],
    ['date_start_flag', 'tinyint(1)'],
    ['date_start', 'datetime'],
    ['parent_type', 'varchar(255)'],
    ['parent_id', 'char(36)'],
    ['contact_id', 'char(36)'],
    ['priority', 'varchar(100)'],
  ],
  { indexes: parentIndexes('tasks') },
);

const TASK_SUBJECTS = [
  'Send contract',
  'Prepare quote',
  'Update billing address',
  'Book onsite visit',
  'Check renewal terms',
  'Collect invoice',
];

function* taskRows(context: TableContext): Iterable<Value[]> {
  const { plan, tally } = context;
  for (let i = 0; i < plan.sizes.tasks; i++) {
    const rng = new Rng(plan.rowSeed(SPACE.tasks, i));
    const start = datetimeBetween(rng, tally, 'tasks.date_start', 2009, 2026);
    const hasDue = rng.chance(0.7);
    yield tasks.toRow({
      id: plan.id(SPACE.tasks, i),
      name: rng.pick(TASK_SUBJECTS),
      ...audit(context, rng, 'tasks', SPACE.tasks, i),
      description: description(rng, tally, 'tasks.description', plan.pools.phrases),
      deleted: softDeleted(context, rng, 'tasks'),
      assigned_user_id: assignedUser(context, rng, 'tasks', SPACE.tasks, i),
      status: picklist(rng, tally, 'tasks.status', 0),
      date_due_flag: !hasDue,
      date_due: hasDue ? formatSeconds(start + rng.int(60) * SECONDS_PER_DAY) : tally.nul('tasks.date_due'),
      date_start_flag: false,
      date_start: formatSeconds(start),
      priority: optional(rng, tally, 'tasks.priority', 0.05, 0.05, () => picklist(rng, tally, 'tasks.priority', 0)),
      ...activityParent(context, rng, 'tasks', false),
    });
  }
}

export const notesTable: LegacyTableGenerator = { spec: notes, rows: noteRows };
export const callsTable: LegacyTableGenerator = { spec: calls, rows: callRows };
export const tasksTable: LegacyTableGenerator = { spec: tasks, rows: taskRows };
