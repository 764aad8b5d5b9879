import { CURRENCIES } from './currencies.js';
import { sampleId } from './ids.js';
import type { BeanSizes, LegacyCrmCounts } from './legacy-counts.js';
import { type EMAIL_VARIANTS, NAME_VARIANTS, type NameVariant } from './manifest.js';
import type { EmailModule } from './picklists.js';
import type { Pools } from './pools.js';
import { hash32, isEvenlyPlaced, unit } from './prng.js';

/** Id spaces: one per table, plus ORPHAN, whose ids are referenced but never stored. */
export const SPACE = {
  users: 1,
  currencies: 2,
  accounts: 3,
  contacts: 4,
  opportunities: 5,
  leads: 6,
  notes: 7,
  calls: 8,
  tasks: 9,
  accounts_contacts: 10,
  accounts_opportunities: 11,
  orphan: 12,
  email_addresses: { Contacts: 20, Accounts: 21, Leads: 22 },
  email_addr_bean_rel: { Contacts: 30, Accounts: 31, Leads: 32 },
} as const;

/** Salts of the per-bean decisions other tables depend on; each decision has its own. */
const SALT = {
  row: 100,
  noAccount: 101,
  secondAccount: 102,
  accountNameDup: 103,
  accountNameVariant: 104,
  accountNameSource: 105,
  accountCstm: 106,
  contactCstm: 107,
  personName: 108,
  emailCount: 109,
  emailVariant: 110,
  emailDomain: 111,
  leadKind: 112,
  leadContact: 113,
  orphan: 114,
  user: 115,
  opportunityAccount: 116,
  parentAccount: 117,
} as const;

/** The Sugar id of the administrator (a literal '1', not a GUID) and of the default currency. */
export const ADMIN_USER_ID = '1';
export const DEFAULT_CURRENCY_ID = '-99';

/** Planted non-ASCII people: accents, umlauts, CJK (one astral-plane character), Vietnamese, Cyrillic, Arabic, a curly apostrophe. */
const NON_ASCII_PEOPLE: readonly (readonly [string, string])[] = [
  ['José', 'García'],
  ['Jürgen', 'Müller'],
  ['太郎', '山田'],
  ['An', 'Nguyễn'],
  ['François', 'Lefèvre'],
  ['Søren', 'Kierkegård'],
  ['Zoë', 'Brontë'],
  ['Łukasz', 'Żółć'],
  ['Ольга', 'Смирнова'],
  ['محمد', 'الحسن'],
  ['Siobhán', 'O’Brien'],
  ['𠮷雄', '吉野'],
];

const COMPANY_NOUNS = [
  'Logistics',
  'Systems',
  'Foods',
  'Partners',
  'Holdings',
  'Labs',
  'Consulting',
  'Manufacturing',
  'Media',
  'Health',
  'Energy',
  'Capital',
  'Solutions',
  'Group',
  'Industries',
  'Networks',
  'Motors',
  'Pharma',
  'Analytics',
  'Builders',
];
const COMPANY_SUFFIXES = ['Inc', 'LLC', 'Ltd', 'Corp', 'GmbH', 'Co.', 'PLC', ''];

const EMAIL_COUNT_WEIGHTS: Readonly<Record<EmailModule, readonly number[]>> = {
  Contacts: [8, 70, 17, 5],
  Accounts: [45, 45, 10],
  Leads: [15, 80, 5],
};

export type LeadKind = 'plain' | 'converted' | 'duplicate';
export type AccountNameVariant = 'unique' | NameVariant;
export type EmailVariant = 'plain' | (typeof EMAIL_VARIANTS)[number];

/** A large prime, coprime with any pool-product size used here, to permute account name indices. */
const NAME_PERMUTATION = 1_000_003;

/**
 * Who relates to whom, and each bean's identity (id, name, account, email addresses), as pure
 * functions of (seed, index). Any table can compute a reference or a name from an index without
 * remembering rows, which is what lets every table stream.
 */
export class CrmPlan {
  /** Users are few and referenced by every row (audit, owner): their ids are computed once. */
  private readonly userIds: readonly string[];

  constructor(
    readonly seed: number,
    readonly sizes: BeanSizes,
    readonly pools: Pools,
  ) {
    this.userIds = Array.from({ length: sizes.users }, (_, i) => (i === 0 ? ADMIN_USER_ID : this.id(SPACE.users, i)));
  }

  id(space: number, index: number): string {
    return sampleId(this.seed, space, index);
  }

  /** The row's own random stream, for decisions no other row depends on. */
  rowSeed(space: number, index: number): number {
    return hash32(this.seed, SALT.row + space * 7919, index);
  }

  private u(salt: number, index: number): number {
    return unit(this.seed, salt, index);
  }

  private h(salt: number, index: number): number {
    return hash32(this.seed, salt, index);
  }

  userId(index: number): string {
    return this.userIds[index];
  }

  /** A user id for the decision `salt` of row `index` of `space`; imports by the admin are common. */
  someUserId(space: number, salt: number, index: number): string {
    const h = this.h(SALT.user + space * 131 + salt, index);
    return h % 10 < 3 ? ADMIN_USER_ID : this.userId(h % this.sizes.users);
  }

  /** A reference to an id that no table holds. */
  orphanId(space: number, index: number): string {
    return this.id(SPACE.orphan, space * 0x100000 + (index % 0x100000));
  }

  /** Exactly max(1, rows/500) of `rows` link rows are planted as orphans per kind `salt`. */
  isOrphan(salt: number, index: number, rows: number): boolean {
    return isEvenlyPlaced(index, Math.max(1, Math.round(rows / 500)), rows, this.h(SALT.orphan, salt) % rows);
  }

  // ---- people ---------------------------------------------------------------------------

  /** [first, last] of a person bean; about 3% are planted non-ASCII names. */
  personName(space: number, index: number): readonly [string, string] {
    const h = this.h(SALT.personName + space, index);
    if (h % 1000 < 30) return NON_ASCII_PEOPLE[(h >>> 10) % NON_ASCII_PEOPLE.length];
    const { firstNames, lastNames } = this.pools;
    return [firstNames[(h >>> 10) % firstNames.length], lastNames[this.h(SALT.personName + space + 50, index) % lastNames.length]];
  }

  /** Users get distinct names (user_name is unique): an injective walk over first × last. */
  userName(index: number): readonly [string, string] {
    const { firstNames, lastNames } = this.pools;
    const k = (index * 7919) % (firstNames.length * lastNames.length);
    return [firstNames[k % firstNames.length], lastNames[Math.floor(k / firstNames.length)]];
  }

  // ---- accounts -------------------------------------------------------------------------

  accountNameVariant(index: number): AccountNameVariant {
    if (index === 0 || this.u(SALT.accountNameDup, index) >= 0.05) return 'unique';
    return NAME_VARIANTS[this.h(SALT.accountNameVariant, index) % NAME_VARIANTS.length];
  }

  /** Distinct for distinct indices, also after case folding and whitespace collapsing. */
  private accountBaseName(index: number): string {
    const { lastNames } = this.pools;
    const size = lastNames.length * COMPANY_NOUNS.length * COMPANY_SUFFIXES.length;
    const k = (index * NAME_PERMUTATION + this.seed) % size;
    const round = Math.floor(index / size);
    // Mixed-radix digits of k, each shifted by the lower ones: still a bijection of k, but
    // neighbouring k no longer share a noun and a suffix.
    const a = k % lastNames.length;
    const b = (Math.floor(k / lastNames.length) + a * 7) % COMPANY_NOUNS.length;
    const c = (Math.floor(k / (lastNames.length * COMPANY_NOUNS.length)) + a * 3 + b) % COMPANY_SUFFIXES.length;
    const last = lastNames[a];
    const noun = COMPANY_NOUNS[b];
    const suffix = COMPANY_SUFFIXES[c];
    const name = suffix ? `${last} ${noun} ${suffix}` : `${last} ${noun}`;
    return round > 0 ? `${name} ${round + 1}` : name;
  }

  /** A planted duplicate repeats the name of an earlier non-duplicate account, varied. */
  accountName(index: number): string {
    const variant = this.accountNameVariant(index);
    if (variant === 'unique') return this.accountBaseName(index);
    let source = this.h(SALT.accountNameSource, index) % index;
    while (this.accountNameVariant(source) !== 'unique') source--;
    const name = this.accountBaseName(source);
    switch (variant) {
      case 'upper':
        return name.toUpperCase();
      case 'lower':
        return name.toLowerCase();
      case 'doubleSpace':
        return name.replace(' ', '  ');
      case 'trailingSpace':
        return `${name} `;
      default:
        return name;
    }
  }

  /** Subsidiaries: about 8% of accounts have an earlier account as parent (so no cycles), else -1. */
  parentAccountOf(index: number): number {
    return index > 0 && this.u(SALT.parentAccount, index) < 0.08 ? this.h(SALT.parentAccount + 1, index) % index : -1;
  }

  hasAccountCstm(index: number): boolean {
    return this.u(SALT.accountCstm, index) >= 0.1;
  }

  /** Account `a` holds the contiguous block of contacts whose primary account is `a`; its first one, if any. */
  firstContactOf(account: number): number {
    const { contacts, accounts } = this.sizes;
    const first = Math.ceil((account * contacts) / accounts);
    return first < contacts && this.blockOf(first) === account ? first : -1;
  }

  private blockOf(contact: number): number {
    return Math.floor((contact * this.sizes.accounts) / this.sizes.contacts);
  }

  // ---- opportunities --------------------------------------------------------------------

  /** The account of an opportunity (its accounts_opportunities row). */
  accountOfOpportunity(opportunity: number): number {
    return this.h(SALT.opportunityAccount, opportunity) % this.sizes.accounts;
  }

  // ---- contacts -------------------------------------------------------------------------

  /** The account of the contact's primary link, or -1 (about 4% of contacts have none). */
  primaryAccountOf(contact: number): number {
    return this.u(SALT.noAccount, contact) < 0.04 ? -1 : this.blockOf(contact);
  }

  /** A second account for about 6% of linked contacts, or -1. */
  secondAccountOf(contact: number): number {
    const { accounts } = this.sizes;
    const primary = this.primaryAccountOf(contact);
    if (primary < 0 || accounts < 2 || this.u(SALT.secondAccount, contact) >= 0.06) return -1;
    return (primary + 1 + (this.h(SALT.secondAccount + 1, contact) % (accounts - 1))) % accounts;
  }

  hasContactCstm(index: number): boolean {
    return this.u(SALT.contactCstm, index) >= 0.2;
  }

  // ---- leads ----------------------------------------------------------------------------

  /**
   * The contact a lead is the same person as (converted, or an unlinked duplicate), or -1.
   * Such a lead shares the contact's first email address row, so the contact must have one.
   */
  leadContact(lead: number): number {
    if (this.u(SALT.leadKind, lead) >= 0.1) return -1;
    let contact = this.h(SALT.leadContact, lead) % this.sizes.contacts;
    for (let step = 0; step < 32; step++, contact = (contact + 1) % this.sizes.contacts) {
      if (this.emailCount('Contacts', contact) > 0) return contact;
    }
    return -1;
  }

  leadKind(lead: number): LeadKind {
    if (this.leadContact(lead) < 0) return 'plain';
    return this.u(SALT.leadKind, lead) < 0.08 ? 'converted' : 'duplicate';
  }

  // ---- email addresses ------------------------------------------------------------------

  /** Addresses a bean owns (rows of email_addresses); a lead of a contact owns none. */
  emailCount(module: EmailModule, index: number): number {
    const weights = EMAIL_COUNT_WEIGHTS[module];
    let target = this.h(SALT.emailCount + EMAIL_SALT_OFFSET[module], index) % 100;
    for (let k = 0; k < weights.length; k++) {
      target -= weights[k];
      if (target < 0) return k;
    }
    return 0;
  }

  /** Addresses a bean is linked to (rows of email_addr_bean_rel). */
  linkedEmailCount(module: EmailModule, index: number): number {
    if (module === 'Leads' && this.leadContact(index) >= 0) return 1;
    return this.emailCount(module, index);
  }

  emailAddressId(module: EmailModule, index: number, k: number): string {
    return this.id(SPACE.email_addresses[module], index * 4 + k);
  }

  emailVariant(module: EmailModule, index: number, k: number): EmailVariant {
    const r = this.h(SALT.emailVariant + EMAIL_SALT_OFFSET[module], index * 4 + k) % 1000;
    return r < 20 ? 'invalid' : r < 60 ? 'mixedCase' : 'plain';
  }

  /** The address text of a bean's k-th address (before the planted variation). */
  emailLocalAndDomain(module: EmailModule, index: number, k: number): readonly [string, string] {
    const domain = this.pools.domains[this.h(SALT.emailDomain + EMAIL_SALT_OFFSET[module], index) % this.pools.domains.length];
    if (module === 'Accounts') return [ACCOUNT_MAILBOXES[k], domain];
    const space = module === 'Contacts' ? SPACE.contacts : SPACE.leads;
    const [first, last] = this.personName(space, index);
    const f = asciiFold(first);
    const l = asciiFold(last);
    const base = f && l ? [`${f}.${l}`, `${f[0]}${l}`, `${f}${index % 100}`][k] : `user${index}.${k}`;
    return [base, domain];
  }

  // ---- counts ---------------------------------------------------------------------------

  counts(): LegacyCrmCounts {
    const { accounts, contacts, leads } = this.sizes;
    let accountsCstm = 0;
    let contactsCstm = 0;
    let accountsContacts = 0;
    let owned = 0;
    let linked = 0;
    for (let i = 0; i < accounts; i++) {
      if (this.hasAccountCstm(i)) accountsCstm++;
      const n = this.emailCount('Accounts', i);
      owned += n;
      linked += n;
    }
    for (let i = 0; i < contacts; i++) {
      if (this.hasContactCstm(i)) contactsCstm++;
      if (this.primaryAccountOf(i) >= 0) accountsContacts++;
      if (this.secondAccountOf(i) >= 0) accountsContacts++;
      const n = this.emailCount('Contacts', i);
      owned += n;
      linked += n;
    }
    for (let i = 0; i < leads; i++) {
      const shared = this.leadContact(i) >= 0;
      owned += shared ? 0 : this.emailCount('Leads', i);
      linked += this.linkedEmailCount('Leads', i);
    }
    return {
      users: this.sizes.users,
      currencies: CURRENCIES.length,
      accounts,
      accounts_cstm: accountsCstm,
      contacts,
      contacts_cstm: contactsCstm,
      accounts_contacts: accountsContacts,
      opportunities: this.sizes.opportunities,
      accounts_opportunities: this.sizes.opportunities,
      leads,
      notes: this.sizes.notes,
      calls: this.sizes.calls,
      tasks: this.sizes.tasks,
      email_addresses: owned,
      email_addr_bean_rel: linked,
    };
  }
}

const EMAIL_SALT_OFFSET: Readonly<Record<EmailModule, number>> = { Contacts: 0, Accounts: 1000, Leads: 2000 };
const ACCOUNT_MAILBOXES = ['info', 'sales', 'billing'];

/** 'José' → 'jose'; letters without an ASCII base ('山田') vanish. */
export function asciiFold(text: string): string {
  return text
    .normalize('NFD')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}
