import { describe, expect, it } from 'vitest';
import { parseServerVersion } from '../../../src/connectors/mysql/mysql-flavour.js';
import { canonicalToNative } from '../../../src/connectors/mysql/mysql-types.js';
import { nativeColumnType } from '../../../src/connectors/postgres/postgres-types.js';
import { declaredType } from '../../../src/connectors/sqlite/sqlite-types.js';
import { CrmError } from '../../../src/core/errors/index.js';
import type { CanonicalType } from '../../../src/core/types.js';

const tsvector: CanonicalType = { kind: 'opaque', native: 'tsvector', dialect: 'postgres' };
const point: CanonicalType = { kind: 'opaque', native: 'point', dialect: 'mysql' };
const ctx = { flavour: parseServerVersion('10.11.6-MariaDB'), indexed: false, rowBytesLeft: 65535 };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof CrmError ? err.code : 'not a CrmError';
  }
}

describe('a designed column of a type with no canonical form', () => {
  it('gets the very same type in the same kind of database', () => {
    expect(nativeColumnType(tsvector)).toEqual({ sql: 'tsvector', recordCanonical: false });
    expect(canonicalToNative(point, ctx).sql).toBe('point');
  });

  it('is refused, with CRM_S3005, in another kind of database', () => {
    expect(codeOf(() => nativeColumnType(point))).toBe('CRM_S3005');
    expect(codeOf(() => canonicalToNative(tsvector, ctx))).toBe('CRM_S3005');
    expect(codeOf(() => declaredType(tsvector))).toBe('CRM_S3005');
  });
});
