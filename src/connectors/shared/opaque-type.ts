import { CrmError } from '../../core/errors/index.js';
import type { CanonicalType } from '../../core/types.js';

type Opaque = Extract<CanonicalType, { kind: 'opaque' }>;

/**
 * The native type of an opaque column, for a table created in `dialect`: its values are the
 * text or bytes of that very type, so only a database of the same kind can take them.
 */
export function sameDialect(type: Opaque, dialect: string): string {
  if (type.dialect === dialect) return type.native;
  throw new CrmError(
    'CRM_S3005',
    `a ${dialect} column cannot hold values of the ${type.dialect} type ${type.native}, which crmbridge has no canonical form for`,
    { location: { connector: dialect }, value: type.native },
  );
}
