import { describe, expect, it } from 'vitest';
import { ambiguityMessage, lookupOrder, pickRelated, type RelatedCandidate } from '../../src/mapping/lookup-pick.js';
import type { LookupSpec } from '../../src/mapping/project/project-schema.js';

/** accounts matched by Name: the value is the account id, ordered by the columns of `lookupOrder`. */
const spec = (extra: Partial<LookupSpec> = {}): LookupSpec => ({ table: 'accounts', match: 'Name', value: 'Id', pick: 'first', ...extra });
const pick = (related: RelatedCandidate[], extra: Partial<LookupSpec> = {}) => pickRelated(related, spec(extra), lookupOrder(spec(extra)));
const row = (value: string | null, ...order: (string | null)[]): RelatedCandidate => ({ value, order });

describe('pickRelated: a one-value pick from several related rows is made only when the data decides it', () => {
  it('takes the only value; a name shared by rows with the same value is not ambiguous', () => {
    expect(pick([row('A1')])).toEqual({ value: 'A1' });
    expect(pick([row('A1'), row('A1')])).toEqual({ value: 'A1' });
    expect(pick([])).toEqual({ value: null });
    expect(pick([row(null), row('A2')])).toEqual({ value: 'A2' });
  });

  it('rejects by default when rows with different values tie: no orderBy, or equal orderBy values at the top', () => {
    expect(pick([row('A1'), row('A3')])).toEqual({ value: null, ambiguous: { candidates: ['A1', 'A3'], policy: 'reject' } });
    const modified = { orderBy: '-modified' };
    expect(pick([row('A1', '2024-01-01'), row('A3', '2024-05-01'), row('A5', '2024-05-01')], modified)).toEqual({
      value: null,
      ambiguous: { candidates: ['A3', 'A5'], policy: 'reject' },
    });
    // A tie below the first row decides nothing: the first is certain.
    expect(pick([row('A1', '2024-01-01'), row('A3', '2024-05-01'), row('A5', '2024-01-01')], modified)).toEqual({ value: 'A3' });
  });

  it('orders numbers as numbers and other texts by code point (a tie is a real tie)', () => {
    expect(pick([row('A9', '9'), row('A10', '10')], { orderBy: '-rank' })).toEqual({ value: 'A10' });
    expect(pick([row('A1', '1.0'), row('A2', '1')], { orderBy: 'rank' }).ambiguous?.candidates).toEqual(['A1', 'A2']);
    expect(pick([row('a', 'b'), row('B', 'B')], { orderBy: 'name' })).toEqual({ value: 'B' });
  });

  it('onAmbiguous: null keeps NULL and says so; firstBy breaks the tie, and a tie left there still rejects', () => {
    expect(pick([row('A1'), row('A3')], { onAmbiguous: 'null' })).toEqual({
      value: null,
      ambiguous: { candidates: ['A1', 'A3'], policy: 'null' },
    });
    expect(pick([row('A3', 'A3'), row('A1', 'A1')], { onAmbiguous: { firstBy: 'Id' } })).toEqual({ value: 'A1' });
    expect(pick([row('A3', 'x', 'A3'), row('A1', 'x', 'A1')], { orderBy: 'kind', onAmbiguous: { firstBy: ['-Id'] } })).toEqual({
      value: 'A3',
    });
    expect(pick([row('A3', 'Austin'), row('A1', 'Austin')], { onAmbiguous: { firstBy: 'City' } }).ambiguous?.policy).toBe('reject');
  });

  it('rest depends on the first as much as first does; all takes every value and is never ambiguous', () => {
    expect(pick([row('A1'), row('A3')], { pick: 'rest' }).ambiguous?.candidates).toEqual(['A1', 'A3']);
    expect(pick([row('p', '1'), row('x', '0'), row('y', '0')], { pick: 'rest', orderBy: '-primary' })).toEqual({ value: ['x', 'y'] });
    expect(pick([row('A1'), row('A3')], { pick: 'all' })).toEqual({ value: ['A1', 'A3'] });
    expect(pick([], { pick: 'rest' })).toEqual({ value: [] });
  });

  it('lists the value matched and at most five candidates in the reject message', () => {
    const candidates = ['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7'];
    const message = ambiguityMessage(spec(), 'Southern Realty', { candidates, policy: 'reject' });
    expect(message).toContain('7 different accounts.Id match accounts.Name = "Southern Realty": A1, A2, A3, A4, A5 and 2 more');
  });
});
