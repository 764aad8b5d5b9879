import { describe, expect, it } from 'vitest';
import type { CanonicalType, TableSchema, Value } from '../../../src/core/types.js';
import { filterRequirements } from '../../../src/engine/sync/two-way-filter.js';

const column = (name: string, type: CanonicalType) => ({ name, type, nativeType: type.kind, nullable: true });
const accounts: TableSchema = {
  name: 'accounts',
  columns: [
    column('deleted', { kind: 'integer' }),
    column('active', { kind: 'boolean' }),
    column('status', { kind: 'text' }),
    column('archived_at', { kind: 'timestamp' }),
  ],
  primaryKey: [],
  uniqueKeys: [],
  foreignKeys: [],
  indexes: [],
};

describe('filterRequirements: the values a row created in the target must hold to pass the object filter', () => {
  it.for<[string, [string, Value][]]>([
    ['deleted = 0', [['deleted', 0]]],
    ['(deleted = 0)', [['deleted', 0]]],
    [
      `"deleted"=0 and status = 'it''s open' AND archived_at IS NULL`,
      [
        ['deleted', 0],
        ['status', "it's open"],
        ['archived_at', null],
      ],
    ],
    ['`active` = 1', [['active', true]]],
    [
      'accounts.deleted = 0 AND "accounts"."status" = \'x\'',
      [
        ['deleted', 0],
        ['status', 'x'],
      ],
    ],
    ['active = false', [['active', false]]],
  ])('%s', ([filter, expected]) => {
    expect(filterRequirements(filter, accounts)).toEqual(new Map(expected));
  });

  it.for([
    'deleted = 0 OR deleted IS NULL',
    'deleted <> 1',
    'deleted IN (0)',
    "status = 'a' AND",
    'coalesce(deleted, 0) = 0',
    'missing = 0',
    "status = 'a' AND status = 'b'",
    "deleted = 'x'",
    'deleted = 0 AND status IS NOT NULL',
  ])('refuses %s, saying why', (filter) => {
    expect(filterRequirements(filter, accounts)).toEqual(
      expect.stringContaining('is not a conjunction of column = value conditions on accounts'),
    );
  });
});
