/**
 * Row counts of the sample, derived from the contact count N. Bean tables follow fixed ratios;
 * link, custom-field and email tables depend on per-bean decisions and are summed by
 * `CrmPlan.counts()`.
 */
export interface LegacyCrmCounts {
  readonly users: number;
  readonly currencies: number;
  readonly accounts: number;
  readonly accounts_cstm: number;
  readonly contacts: number;
  readonly contacts_cstm: number;
  readonly accounts_contacts: number;
  readonly opportunities: number;
  readonly accounts_opportunities: number;
  readonly leads: number;
  readonly notes: number;
  readonly calls: number;
  readonly tasks: number;
  readonly email_addresses: number;
  readonly email_addr_bean_rel: number;
}

export type LegacyTable = keyof LegacyCrmCounts;

export interface BeanSizes {
  readonly users: number;
  readonly accounts: number;
  readonly contacts: number;
  readonly opportunities: number;
  readonly leads: number;
  readonly notes: number;
  readonly calls: number;
  readonly tasks: number;
}

/** users ≈ max(10, N/1000), accounts ≈ N/10, opportunities ≈ 0.3 N, leads ≈ 0.2 N, notes + calls + tasks = N. */
export function beanSizes(contacts: number): BeanSizes {
  if (!Number.isSafeInteger(contacts) || contacts < 1) throw new RangeError(`contacts must be a positive integer, got ${contacts}`);
  const notes = Math.floor((contacts * 4) / 10);
  const calls = Math.floor((contacts * 35) / 100);
  return {
    users: Math.max(10, Math.floor(contacts / 1000)),
    accounts: Math.max(1, Math.floor(contacts / 10)),
    contacts,
    opportunities: Math.floor((contacts * 3) / 10),
    leads: Math.floor(contacts / 5),
    notes,
    calls,
    tasks: contacts - notes - calls,
  };
}
