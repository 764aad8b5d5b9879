import { CrmError } from '../../core/errors/index.js';
import type { CanonicalType, ColumnSchema, DatabaseSchema, ForeignKey, IndexSchema, TableSchema } from '../../core/types.js';
import type { PostgresDatabase } from './postgres-database.js';
import { storedName } from './postgres-identifiers.js';
import { parseTypeComment } from './postgres-type-comment.js';
import { NATIVE_TO_CANONICAL } from './postgres-types.js';

interface TableRow {
  oid: string;
  name: string;
  reltuples: number;
}

interface ColumnRow {
  oid: string;
  name: string;
  not_null: boolean;
  native: string;
  /** typname of the base type (a domain's base, not the domain). */
  typname: string;
  typmod: number;
  is_enum: boolean;
  enum_values: string[] | null;
  default_sql: string | null;
  identity: string;
  /** pg_attribute.attgenerated: 's' for a stored generated column, '' otherwise. */
  generated: string;
  comment: string | null;
}

interface ConstraintRow {
  oid: string;
  name: string;
  type: 'p' | 'u' | 'f' | 'c';
  /** A check constraint's condition. */
  expression: string | null;
  columns: string[];
  referenced_table: string | null;
  referenced_columns: string[];
}

interface IndexRow {
  oid: string;
  name: string;
  unique: boolean;
  columns: string[];
  predicate: string | null;
}

interface TriggerRow {
  oid: string;
  name: string;
}

// Tables, views and foreign tables of the schema; partitions are read through their parent.
const TABLES_SQL = `
SELECT c.oid::text AS oid, c.relname AS name, c.reltuples::float8 AS reltuples
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
   AND ($2::text[] IS NULL OR c.relname = ANY ($2::text[]))
 ORDER BY c.relname`;

const COLUMNS_SQL = `
SELECT a.attrelid::text AS oid, a.attname AS name, a.attnotnull AS not_null,
       format_type(a.atttypid, a.atttypmod) AS native,
       COALESCE(bt.typname, t.typname) AS typname,
       CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END AS typmod,
       COALESCE(bt.typtype, t.typtype) = 'e' AS is_enum,
       ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = COALESCE(bt.oid, t.oid) ORDER BY e.enumsortorder) AS enum_values,
       pg_get_expr(d.adbin, d.adrelid) AS default_sql,
       a.attidentity::text AS identity, a.attgenerated::text AS generated,
       col_description(a.attrelid, a.attnum) AS comment
  FROM pg_attribute a
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE a.attrelid = ANY ($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attrelid, a.attnum`;

const ATTNAMES = (rel: string, keys: string) => `ARRAY(
         SELECT a.attname::text FROM unnest(${keys}) WITH ORDINALITY k(attnum, ord)
           JOIN pg_attribute a ON a.attrelid = ${rel} AND a.attnum = k.attnum ORDER BY k.ord)`;

const CONSTRAINTS_SQL = `
SELECT con.conrelid::text AS oid, con.conname AS name, con.contype::text AS type,
       ${ATTNAMES('con.conrelid', 'con.conkey')} AS columns,
       ref.relname AS referenced_table,
       ${ATTNAMES('con.confrelid', 'con.confkey')} AS referenced_columns,
       CASE WHEN con.contype = 'c' THEN pg_get_expr(con.conbin, con.conrelid) END AS expression
  FROM pg_constraint con LEFT JOIN pg_class ref ON ref.oid = con.confrelid
 WHERE con.conrelid = ANY ($1::oid[]) AND con.contype IN ('p', 'u', 'f', 'c')
 ORDER BY con.conrelid, con.conname`;

// Column indexes not backing a primary key or unique constraint, partial ones with their
// condition; expression indexes have no canonical form and are left out.
const INDEXES_SQL = `
SELECT i.indrelid::text AS oid, ic.relname AS name, i.indisunique AS unique,
       ${ATTNAMES('i.indrelid', '(i.indkey::int2[])[0:i.indnkeyatts - 1]')} AS columns,
       pg_get_expr(i.indpred, i.indrelid) AS predicate
  FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
 WHERE i.indrelid = ANY ($1::oid[]) AND i.indexprs IS NULL
   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u'))
 ORDER BY i.indrelid, ic.relname`;

const TRIGGERS_SQL = `
SELECT t.tgrelid::text AS oid, t.tgname AS name FROM pg_trigger t
 WHERE t.tgrelid = ANY ($1::oid[]) AND NOT t.tgisinternal ORDER BY t.tgrelid, t.tgname`;

/** Reads the schema from pg_catalog: five queries for any number of tables. */
export async function introspect(db: PostgresDatabase, names?: readonly string[]): Promise<DatabaseSchema> {
  const wanted = names?.map(storedName);
  const tables = await db.query<TableRow>(TABLES_SQL, [db.schema, wanted ?? null]);
  const missing = wanted?.find((name) => !tables.some((t) => t.name === name));
  if (missing !== undefined) {
    throw new CrmError('CRM_S3001', `table ${missing} not found in schema ${db.schema}`, {
      location: { connector: 'postgres', table: missing },
    });
  }
  const oids = tables.map((t) => t.oid);
  const [columns, constraints, indexes, triggers] = await Promise.all([
    db.query<ColumnRow>(COLUMNS_SQL, [oids]),
    db.query<ConstraintRow>(CONSTRAINTS_SQL, [oids]),
    db.query<IndexRow>(INDEXES_SQL, [oids]),
    db.query<TriggerRow>(TRIGGERS_SQL, [oids]),
  ]);
  return {
    tables: tables.map((table) =>
      tableSchema(
        table,
        columns.filter((c) => c.oid === table.oid),
        constraints.filter((c) => c.oid === table.oid),
        indexes.filter((i) => i.oid === table.oid),
        triggers.filter((t) => t.oid === table.oid).map((t) => t.name),
      ),
    ),
  };
}

function tableSchema(
  table: TableRow,
  columns: ColumnRow[],
  constraints: ConstraintRow[],
  indexes: IndexRow[],
  triggers: string[],
): TableSchema {
  // A partial unique index is no key: it binds only the rows its condition holds for.
  const uniqueIndexes = indexes.filter((i) => i.unique && i.predicate === null).map((i) => i.columns);
  const checks = constraints.filter((c) => c.type === 'c').map((c) => ({ name: c.name, expression: c.expression ?? 'true' }));
  return {
    name: table.name,
    columns: columns.map(columnSchema),
    primaryKey: constraints.find((c) => c.type === 'p')?.columns ?? [],
    uniqueKeys: [...constraints.filter((c) => c.type === 'u').map((c) => c.columns), ...uniqueIndexes],
    foreignKeys: constraints.filter((c) => c.type === 'f').map(foreignKey),
    indexes: indexes.map(
      (i): IndexSchema => ({
        name: i.name,
        columns: i.columns,
        unique: i.unique,
        ...(i.predicate === null ? {} : { predicate: i.predicate }),
      }),
    ),
    ...(checks.length > 0 ? { checks } : {}),
    ...(triggers.length > 0 ? { triggers } : {}),
    // reltuples is -1 until the table is first vacuumed or analyzed.
    ...(table.reltuples >= 0 ? { rowEstimate: Math.round(table.reltuples) } : {}),
  };
}

function foreignKey(c: ConstraintRow): ForeignKey {
  return { name: c.name, columns: c.columns, referencedTable: c.referenced_table ?? '', referencedColumns: c.referenced_columns };
}

function columnSchema(column: ColumnRow): ColumnSchema {
  const recorded = parseTypeComment(column.comment);
  const type = recorded.type ?? nativeCanonicalType(column);
  const serial = column.default_sql?.startsWith('nextval(') ?? false;
  return {
    name: column.name,
    type,
    nativeType: column.native,
    nullable: !column.not_null,
    ...(column.default_sql !== null ? { default: column.default_sql } : {}),
    ...(column.identity !== '' || serial ? { autoIncrement: true } : {}),
    // GENERATED ALWAYS AS (…) STORED, and GENERATED ALWAYS AS IDENTITY (BY DEFAULT takes values).
    ...(column.generated !== '' || column.identity === 'a' ? { generated: true } : {}),
    ...(recorded.comment !== undefined ? { comment: recorded.comment } : {}),
  };
}

function nativeCanonicalType(column: ColumnRow): CanonicalType {
  if (column.is_enum) return { kind: 'enum', values: column.enum_values ?? [] };
  const map = NATIVE_TO_CANONICAL[column.typname];
  // tsvector, point, PostGIS geometry, ltree, ranges, …: kept as the server's own text of them.
  return map ? map(column.typmod) : { kind: 'opaque', native: column.native, dialect: 'postgres' };
}
