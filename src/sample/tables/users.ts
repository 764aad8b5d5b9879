import type { Value } from '../../core/types.js';
import { ADMIN_USER_ID, asciiFold, SPACE } from '../crm-plan.js';
import { description, phone, picklist } from '../dirt.js';
import { Rng } from '../prng.js';
import { AUDIT_COLUMNS, defineTable, index } from '../table-spec.js';
import { audit } from './bean-columns.js';
import type { LegacyTableGenerator, TableContext } from './table-context.js';

const spec = defineTable(
  'users',
  [
    ['id', 'char(36)'],
    ['user_name', 'varchar(60)'],
    ['user_hash', 'varchar(255)'],
    ['first_name', 'varchar(30)'],
    ['last_name', 'varchar(30)'],
    ['title', 'varchar(50)'],
    ['department', 'varchar(50)'],
    ['is_admin', 'tinyint(1)'],
    ['status', 'varchar(100)'],
    ['employee_status', 'varchar(100)'],
    ['phone_work', 'varchar(50)'],
    ['reports_to_id', 'char(36)'],
    ['description', 'text'],
    ...AUDIT_COLUMNS,
    ['deleted', 'tinyint(1)'],
  ],
  { indexes: [index('users', ['user_name'])] },
);

function* rows(context: TableContext): Iterable<Value[]> {
  const { plan, tally } = context;
  for (let i = 0; i < plan.sizes.users; i++) {
    const rng = new Rng(plan.rowSeed(SPACE.users, i));
    const [first, last] = plan.userName(i);
    const status = i === 0 ? 'Active' : picklist(rng, tally, 'users.status', 0);
    yield spec.toRow({
      id: plan.userId(i),
      user_name: i === 0 ? 'admin' : `${asciiFold(first)}.${asciiFold(last)}`,
      // Sugar keeps an md5/bcrypt hash here; a fixed non-secret placeholder is enough.
      user_hash: `$2y$10$${plan.id(SPACE.users, i).replaceAll('-', '').slice(0, 22)}`,
      first_name: i === 0 ? tally.nul('users.first_name') : first,
      last_name: i === 0 ? 'Administrator' : last,
      title: rng.chance(0.2) ? tally.nul('users.title') : rng.pick(plan.pools.jobTitles),
      department: rng.chance(0.3) ? tally.nul('users.department') : rng.pick(plan.pools.departments),
      is_admin: i === 0 || rng.chance(0.05),
      status,
      employee_status: status === 'Active' ? 'Active' : rng.pick(['Terminated', 'Leave of Absence']),
      phone_work: phone(rng, tally, 'users.phone_work', 0.2, 0.05),
      reports_to_id: i === 0 || rng.chance(0.5) ? tally.nul('users.reports_to_id') : ADMIN_USER_ID,
      description: description(rng, tally, 'users.description', plan.pools.phrases),
      ...audit(context, rng, 'users', SPACE.users, i),
      deleted: false,
    });
  }
}

export const usersTable: LegacyTableGenerator = { spec, rows };
