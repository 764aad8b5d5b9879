import { describe, expect, it } from 'vitest';
import { compilePipeline } from '../../../src/mapping/transforms/compile-pipeline.js';
import { expectReject, run } from './helpers.js';

const stage = { picklist: { map: { 'Closed Won': 'won', Prospecting: 'new', '--None--': null } } };

describe('picklist', () => {
  it('maps declared values, trimming the input', () => {
    expect(run([stage], 'Closed Won')).toBe('won');
    expect(run([stage], '  Prospecting ')).toBe('new');
    expect(run([stage], '--None--')).toBeNull();
  });
  it('rejects every unmapped value with CRM_R4011 unmapped_value, blank included', () => {
    const err = expectReject([stage], 'Closed Lost', 'unmapped_value');
    expect(err.format()).toContain('Closed Lost');
    expectReject([stage], '', 'unmapped_value');
    expectReject([stage], 'closed won', 'unmapped_value'); // case-sensitive by default
    expectReject([{ picklist: { map: { '1': 'a' } } }], 4, 'unmapped_value');
  });
  it('takes a declared default (even NULL) for unmapped values', () => {
    expect(run([{ picklist: { ...stage.picklist, default: 'other' } }], 'Closed Lost')).toBe('other');
    expect(run([{ picklist: { ...stage.picklist, default: null } }], 'Closed Lost')).toBeNull();
  });
  it('matches case-insensitively when asked', () => {
    expect(run([{ picklist: { ...stage.picklist, case_insensitive: true } }], 'CLOSED WON')).toBe('won');
  });
  it('rejects at compile time keys that collide once folded', () => {
    expect(() => run([{ picklist: { map: { a: 'x', A: 'y' }, case_insensitive: true } }], 'a')).toThrow(/"a" and "A"/);
  });
  it('inverts a one-to-one map; shared targets cannot be inverted', () => {
    const back = compilePipeline([{ picklist: { map: { 'Closed Won': 'won', Won: 'won', Prospecting: 'new' } } }], {}, { inverse: true });
    expect(back('new')).toBe('Prospecting');
    expect(() => back('won')).toThrow(/ambiguous_inverse/);
    expect(() => back('lost')).toThrow(/unmapped_value/);
  });
});

describe('boolean', () => {
  it('reads the default spellings, trimmed and case-insensitive', () => {
    for (const yes of ['Y', 'yes', '1', 'TRUE', 'on', 't', ' Yes ', 1, true]) expect(run(['boolean'], yes)).toBe(true);
    for (const no of ['N', 'no', '0', 'false', 'OFF', 'f', 0, false]) expect(run(['boolean'], no)).toBe(false);
  });
  it('rejects anything else (tinyint 4, maybe, 2)', () => {
    expectReject(['boolean'], 4, 'invalid_boolean');
    expectReject(['boolean'], 'maybe', 'invalid_boolean');
    expectReject(['boolean'], 'x', 'invalid_boolean');
  });
  it('treats blank as NULL by default, and as configured', () => {
    expect(run(['boolean'], '')).toBeNull();
    expect(run([{ boolean: { true: ['x'], false: ['-'], blank: 'false' } }], ' ')).toBe(false);
    expect(run([{ boolean: { true: ['x'], false: ['-'], blank: 'false' } }], 'X')).toBe(true);
    expectReject([{ boolean: { blank: 'reject' } }], '', 'invalid_boolean');
    expectReject([{ boolean: { true: ['x'], false: ['-'] } }], 'yes', 'invalid_boolean');
  });
  it('rejects a spelling listed both ways', () => {
    expect(() => run([{ boolean: { true: ['y'], false: ['Y'] } }], 'y')).toThrow(/both true and false/);
  });
  it('inverts to the first spelling of each list', () => {
    const back = compilePipeline([{ boolean: { true: ['Y', 'yes'], false: ['N'] } }], {}, { inverse: true });
    expect(back(true)).toBe('Y');
    expect(back(false)).toBe('N');
  });
});
