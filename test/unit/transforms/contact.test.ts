import { describe, expect, it } from 'vitest';
import { compilePipeline } from '../../../src/mapping/transforms/compile-pipeline.js';
import { expectReject, run } from './helpers.js';

describe('email', () => {
  it('trims and lower-cases valid addresses', () => {
    expect(run(['email'], '  Jo.Smith+crm@Example.COM ')).toBe('jo.smith+crm@example.com');
    expect(run(['email'], 'josé@exämple.de')).toBe('josé@exämple.de');
  });
  it('rejects invalid addresses with invalid_email and the raw value', () => {
    for (const bad of ['jo@', 'jo smith@example.com', 'example.com', 'jo@@example.com', 'jo@example'])
      expectReject(['email'], bad, 'invalid_email');
  });
  it('makes invalid addresses NULL with on_invalid: null; blank is NULL', () => {
    expect(run([{ email: { on_invalid: 'null' } }], 'not an email')).toBeNull();
    // YAML reads `on_invalid: null` as the null value: it means the same
    expect(run([{ email: { on_invalid: null } }], 'not an email')).toBeNull();
    expect(run([{ phone: { country: 'US', on_invalid: null } }], '555-1234')).toBeNull();
    expect(run([{ url_domain: { on_invalid: null } }], 'n/a')).toBeNull();
    expect(run(['email'], '   ')).toBeNull();
  });
});

describe('phone', () => {
  const us = { phone: { country: 'US' } };
  it('formats E.164 with the default country', () => {
    expect(run([us], '(415) 555-2671')).toBe('+14155552671');
    expect(run([us], '415.555.2671')).toBe('+14155552671');
    expect(run([us], '+44 20 7946 0958')).toBe('+442079460958');
    expect(run(['phone'], '030 901820', { defaultCountry: 'DE' })).toBe('+4930901820');
    expect(() => run(['phone'], '030 901820', { defaultCountry: 'XX' })).toThrow(/step 1 \(phone\).*"XX"/);
  });
  it('keeps or drops extensions', () => {
    expect(run([us], '(415) 555-2671 ext. 123')).toBe('+14155552671;ext=123');
    expect(run([{ phone: { country: 'US', extension: 'drop' } }], '415-555-2671 x123')).toBe('+14155552671');
  });
  it('rejects invalid numbers, or keeps / nulls them by option', () => {
    expectReject([us], '555-1234', 'invalid_phone');
    expectReject([us], 'call me', 'invalid_phone');
    expectReject(['phone'], '415 555 2671', 'invalid_phone'); // no country to read it in
    expect(run([{ phone: { country: 'US', on_invalid: 'keep' } }], ' 555-1234 ')).toBe('555-1234');
    expect(run([{ phone: { country: 'US', on_invalid: 'null' } }], '555-1234')).toBeNull();
    expect(run([us], '')).toBeNull();
  });
});

describe('url_domain', () => {
  it('reduces URLs, hosts and email addresses to a bare lower-case domain', () => {
    expect(run(['url_domain'], 'https://www.Example.com/about?x=1')).toBe('example.com');
    expect(run(['url_domain'], 'WWW.acme.co.uk')).toBe('acme.co.uk');
    expect(run(['url_domain'], 'http://shop.acme.io:8080/')).toBe('shop.acme.io');
    expect(run(['url_domain'], 'Jo@Sub.Example.ORG')).toBe('sub.example.org');
    expect(run(['url_domain'], 'https://www.münchen.de')).toBe('münchen.de');
  });
  it('rejects what has no domain', () => {
    expectReject(['url_domain'], 'not a url', 'invalid_domain');
    expectReject(['url_domain'], 'localhost', 'invalid_domain');
    expect(run([{ url_domain: { on_invalid: 'null' } }], 'n/a')).toBeNull();
  });
});

describe('name', () => {
  const part = (p: string, full: string) => run([{ name: { part: p } }], full);
  it('splits first middle last', () => {
    expect(part('first', 'Jane Ann Smith')).toBe('Jane');
    expect(part('middle', 'Jane Ann Smith')).toBe('Ann');
    expect(part('last', 'Jane Ann Smith')).toBe('Smith');
    expect(part('middle', 'Jane Smith')).toBeNull();
  });
  it('handles "Last, First", titles and suffixes', () => {
    expect(part('last', 'Smith, Jane A.')).toBe('Smith');
    expect(part('first', 'Smith, Jane A.')).toBe('Jane');
    expect(part('middle', 'Smith, Jane A.')).toBe('A.');
    expect(part('first', 'Dr. Jane Smith Jr.')).toBe('Jane');
    expect(part('last', 'Dr. Jane Smith Jr.')).toBe('Smith');
    expect(part('title', 'Prof. Dr. Jane Smith')).toBe('Prof. Dr.');
    expect(part('suffix', 'John Smith, Jr.')).toBe('Jr.');
    expect(part('last', 'John Smith, Jr.')).toBe('Smith');
    expect(part('suffix', 'Smith, John, III')).toBe('III');
    expect(part('first', 'Smith, John, III')).toBe('John');
    expect(part('suffix', 'Mary Major PhD')).toBe('PhD');
  });
  it('keeps family-name particles with the last name; a single word is the last name', () => {
    expect(part('last', 'Ludwig van Beethoven')).toBe('van Beethoven');
    expect(part('last', 'Juan de la Cruz')).toBe('de la Cruz');
    expect(part('last', 'Madonna')).toBe('Madonna');
    expect(part('first', 'Madonna')).toBeNull();
    expect(run([{ name: 'last' }], '  ')).toBeNull();
  });
});

describe('join_name', () => {
  it('builds a display name from parts, leaving blanks out', () => {
    const fn = compilePipeline(['join_name'], {}, { inputs: ['first_name', 'last_name'] });
    expect(fn(['Jane', 'Smith'])).toBe('Jane Smith');
    expect(fn([null, 'Smith'])).toBe('Smith');
    expect(fn([null, null])).toBeNull();
    const three = compilePipeline([{ join_name: { format: 'last_first' } }], {}, { inputs: ['f', 'm', 'l'] });
    expect(three(['Jane', 'A.', 'Smith'])).toBe('Smith, Jane A.');
    expect(three(['Jane', '', 'Smith'])).toBe('Smith, Jane');
    const full = compilePipeline([{ join_name: { parts: ['title', 'first', 'last', 'suffix'] } }], {}, { inputs: ['t', 'f', 'l', 's'] });
    expect(full(['Dr.', 'Jane', 'Smith', 'Jr.'])).toBe('Dr. Jane Smith Jr.');
  });
  it('rejects a parts list that does not match the from columns', () => {
    expect(() => compilePipeline([{ join_name: { parts: ['first'] } }], {}, { inputs: ['a', 'b'] })).toThrow(/step 1 \(join_name\)/);
  });
});
