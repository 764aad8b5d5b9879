import fc from 'fast-check';
import { expect, it } from 'vitest';
import { civilFromDays, daysFromCivil } from '../../src/core/civil-date.js';

it('day numbers and civil dates convert both ways, for years 1 to 9999 (property)', () => {
  fc.assert(
    fc.property(fc.integer({ min: daysFromCivil(1, 1, 1), max: daysFromCivil(9999, 12, 31) }), (days) => {
      const { year, month, day } = civilFromDays(days);
      expect(daysFromCivil(year, month, day)).toBe(days);
    }),
  );
  expect(daysFromCivil(1970, 1, 1)).toBe(0);
  expect(civilFromDays(-1)).toEqual({ year: 1969, month: 12, day: 31 });
  expect(civilFromDays(daysFromCivil(2000, 2, 29) + 1)).toEqual({ year: 2000, month: 3, day: 1 });
});
