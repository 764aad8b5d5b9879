import type { Value } from '../../core/types.js';
import { formatSeconds } from '../calendar.js';
import { SPACE } from '../crm-plan.js';
import { datetimeBetween } from '../dirt.js';
import { EMAIL_MODULES, type EmailModule } from '../picklists.js';
import { Rng } from '../prng.js';
import { defineTable, index } from '../table-spec.js';
import { softDeleted } from './bean-columns.js';
import { emailAddressOf } from './email-address-text.js';
import type { LegacyTableGenerator, TableContext } from './table-context.js';

const BEAN_SPACE: Readonly<Record<EmailModule, number>> = { Contacts: SPACE.contacts, Accounts: SPACE.accounts, Leads: SPACE.leads };

function beanCount({ plan }: TableContext, module: EmailModule): number {
  return module === 'Contacts' ? plan.sizes.contacts : module === 'Accounts' ? plan.sizes.accounts : plan.sizes.leads;
}

const emailAddresses = defineTable(
  'email_addresses',
  [
    ['id', 'char(36)'],
    ['email_address', 'varchar(255)'],
    ['email_address_caps', 'varchar(255)'],
    ['invalid_email', 'tinyint(1)'],
    ['opt_out', 'tinyint(1)'],
    ['date_created', 'datetime'],
    ['date_modified', 'datetime'],
    ['deleted', 'tinyint(1)'],
  ],
  { indexes: [index('email_addresses', ['email_address_caps'])] },
);

/** Addresses in bean order (contacts, accounts, leads). invalid_email is Sugar's bounce flag, not syntax. */
function* emailAddressRows(context: TableContext): Iterable<Value[]> {
  const { plan, tally } = context;
  for (const module of EMAIL_MODULES) {
    for (let bean = 0; bean < beanCount(context, module); bean++) {
      // A lead of a contact shares the contact's address row instead of owning one.
      const owned = module === 'Leads' && plan.leadContact(bean) >= 0 ? 0 : plan.emailCount(module, bean);
      for (let k = 0; k < owned; k++) {
        const { text, rng } = emailAddressOf(plan, tally, module, bean, k);
        const created = datetimeBetween(rng, tally, 'email_addresses.date_created', 2008, 2024);
        yield emailAddresses.toRow({
          id: plan.emailAddressId(module, bean, k),
          email_address: text,
          email_address_caps: text.toUpperCase(),
          invalid_email: rng.chance(0.02),
          opt_out: rng.chance(0.03),
          date_created: formatSeconds(created),
          date_modified: formatSeconds(created + rng.int(86400 * 365)),
          deleted: false,
        });
      }
    }
  }
}

const emailAddrBeanRel = defineTable(
  'email_addr_bean_rel',
  [
    ['id', 'char(36)'],
    ['email_address_id', 'char(36)'],
    ['bean_id', 'char(36)'],
    ['bean_module', 'varchar(100)'],
    ['primary_address', 'tinyint(1)'],
    ['reply_to_address', 'tinyint(1)'],
    ['date_created', 'datetime'],
    ['date_modified', 'datetime'],
    ['deleted', 'tinyint(1)'],
  ],
  { indexes: [index('email_addr_bean_rel', ['email_address_id']), index('email_addr_bean_rel', ['bean_id', 'bean_module'])] },
);

/**
 * One link per (bean, address). The first is the primary and is never soft-deleted, so each bean
 * with addresses has exactly one live primary; later links are sometimes soft-deleted (a
 * replaced address).
 */
function* emailRelRows(context: TableContext): Iterable<Value[]> {
  const { plan, tally } = context;
  for (const module of EMAIL_MODULES) {
    for (let bean = 0; bean < beanCount(context, module); bean++) {
      const linked = plan.linkedEmailCount(module, bean);
      const sharedContact = module === 'Leads' ? plan.leadContact(bean) : -1;
      for (let k = 0; k < linked; k++) {
        const rng = new Rng(plan.rowSeed(SPACE.email_addr_bean_rel[module], bean * 4 + k));
        const created = datetimeBetween(rng, tally, 'email_addr_bean_rel.date_created', 2008, 2024);
        yield emailAddrBeanRel.toRow({
          id: plan.id(SPACE.email_addr_bean_rel[module], bean * 4 + k),
          email_address_id: sharedContact >= 0 ? plan.emailAddressId('Contacts', sharedContact, 0) : plan.emailAddressId(module, bean, k),
          bean_id: plan.id(BEAN_SPACE[module], bean),
          bean_module: module,
          primary_address: k === 0,
          reply_to_address: k === 0 && rng.chance(0.1),
          date_created: formatSeconds(created),
          date_modified: formatSeconds(created + rng.int(86400 * 365)),
          deleted: k > 0 && softDeleted(context, rng, 'email_addr_bean_rel', 0.1),
        });
      }
    }
  }
}

export const emailAddressesTable: LegacyTableGenerator = { spec: emailAddresses, rows: emailAddressRows };
export const emailAddrBeanRelTable: LegacyTableGenerator = { spec: emailAddrBeanRel, rows: emailRelRows };
