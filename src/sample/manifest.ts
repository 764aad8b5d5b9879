/**
 * What the generator planted, counted as it planted it, so that tests anywhere (analyze,
 * validate, verify, dedupe) can assert exact numbers instead of "some". Keys of the form
 * 'table.column' name a column; plain keys name a table.
 */
export const PHONE_FORMATS = ['parentheses', 'dotted', 'international', 'digits', 'dashed', 'extension', 'foreign', 'garbage'] as const;
export type PhoneFormat = (typeof PHONE_FORMATS)[number];

/** How a duplicate account name differs from the name it duplicates. */
export const NAME_VARIANTS = ['exact', 'upper', 'lower', 'doubleSpace', 'trailingSpace'] as const;
export type NameVariant = (typeof NAME_VARIANTS)[number];

export const EMAIL_VARIANTS = ['mixedCase', 'invalid'] as const;

export interface LegacyCrmManifest {
  /** NULL cells per 'table.column' (every NULL the generator wrote). */
  readonly nulls: Readonly<Record<string, number>>;
  /** Empty-string cells per 'table.column' (every '' the generator wrote). */
  readonly blanks: Readonly<Record<string, number>>;
  /** Rows with deleted = 1, per table. */
  readonly softDeleted: Readonly<Record<string, number>>;
  /** References to ids that exist in no table, per 'table.column'. */
  readonly orphans: Readonly<Record<string, number>>;
  /** Accounts whose name repeats an earlier account's name, by kind of variation. */
  readonly duplicateAccountNames: Readonly<Record<string, number>>;
  /** Non-empty phone cells of all tables by format. */
  readonly phoneFormats: Readonly<Record<string, number>>;
  /** email_addresses rows whose address is not upper/lower consistent ('mixedCase') or not an address ('invalid'). */
  readonly emailVariants: Readonly<Record<string, number>>;
  /** Rows whose first or last name holds non-ASCII characters, per table. */
  readonly nonAsciiNames: Readonly<Record<string, number>>;
  /** Values with a line break, per 'table.column'. */
  readonly multiLineText: Readonly<Record<string, number>>;
  /** Values outside the documented picklist, per 'table.column', then per value. */
  readonly offListPicklist: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Dates and datetimes before 1970-01-01, per 'table.column'. */
  readonly preEpochDates: Readonly<Record<string, number>>;
  /** Opportunity amounts with six fraction digits ('manyDecimals') or above 2^53 ('beyondDouble'). */
  readonly amounts: Readonly<Record<string, number>>;
  /** Leads that are the same person as a contact: 'converted' (linked) or 'duplicate' (not linked); both share the contact's email address row. */
  readonly leadsOfContacts: Readonly<Record<string, number>>;
}

const KEYS = new Map<string, Map<string, string>>();

/**
 * The manifest key 'table.column', memoised: hot paths then pass the same string object every
 * time, which skips a concatenation and lets the Map reuse the string's cached hash.
 */
export function columnKey(table: string, column: string): string {
  let columns = KEYS.get(table);
  if (!columns) {
    columns = new Map();
    KEYS.set(table, columns);
  }
  let key = columns.get(column);
  if (key === undefined) {
    key = `${table}.${column}`;
    columns.set(column, key);
  }
  return key;
}

type CountCategory = Exclude<keyof LegacyCrmManifest, 'offListPicklist'>;

/** Counters behind the manifest; the generator calls these at each planting. */
export class Tally {
  private readonly counters = new Map<CountCategory, Map<string, number>>();
  private readonly offLists = new Map<string, Map<string, number>>();

  add(category: CountCategory, key: string, by = 1): void {
    bump(this.counters, category, key, by);
  }

  /** Records a NULL cell and returns it, so row builders write `tally.nul('t.c')` in place of `null`. */
  nul(key: string): null {
    this.add('nulls', key);
    return null;
  }

  blank(key: string): '' {
    this.add('blanks', key);
    return '';
  }

  offList(key: string, value: string): void {
    bump(this.offLists, key, value, 1);
  }

  manifest(): LegacyCrmManifest {
    const plain = (category: CountCategory): Record<string, number> => Object.fromEntries(this.counters.get(category) ?? []);
    return {
      nulls: plain('nulls'),
      blanks: plain('blanks'),
      softDeleted: plain('softDeleted'),
      orphans: plain('orphans'),
      duplicateAccountNames: plain('duplicateAccountNames'),
      phoneFormats: plain('phoneFormats'),
      emailVariants: plain('emailVariants'),
      nonAsciiNames: plain('nonAsciiNames'),
      multiLineText: plain('multiLineText'),
      offListPicklist: Object.fromEntries([...this.offLists].map(([key, counts]) => [key, Object.fromEntries(counts)])),
      preEpochDates: plain('preEpochDates'),
      amounts: plain('amounts'),
      leadsOfContacts: plain('leadsOfContacts'),
    };
  }
}

function bump<K>(maps: Map<K, Map<string, number>>, outer: K, key: string, by: number): void {
  let counter = maps.get(outer);
  if (!counter) {
    counter = new Map();
    maps.set(outer, counter);
  }
  counter.set(key, (counter.get(key) ?? 0) + by);
}
