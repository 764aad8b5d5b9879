import { CrmError } from '../../core/errors/index.js';
import type { ColumnSchema, TableSchema } from '../../core/types.js';
import type { ColumnEncodings } from './mysql-charsets.js';
import { introspectDatabase } from './mysql-introspector.js';
import type { MysqlPool } from './mysql-pool.js';
import { nativeName } from './mysql-sql.js';

/**
 * Table schemas the reader and writer need (canonical types pick the value codecs), fetched once
 * per table per connector. The writer drops entries for the tables it creates.
 */
export class SchemaCache {
  private readonly tables = new Map<string, Promise<TableSchema>>();

  constructor(
    private readonly pool: MysqlPool,
    private readonly encodings: ColumnEncodings,
  ) {}

  /** The table's schema, or CRM_S3001 naming it. */
  get(table: string): Promise<TableSchema> {
    const name = nativeName(table);
    let found = this.tables.get(name);
    if (!found) {
      found = this.load(table, name);
      this.tables.set(name, found);
      // A missing table is not remembered: it may be created next.
      found.catch(() => this.tables.delete(name));
    }
    return found;
  }

  forget(tables: readonly string[]): void {
    for (const t of tables) this.tables.delete(nativeName(t));
  }

  private async load(table: string, name: string): Promise<TableSchema> {
    const schema = await this.pool.withSession((s) => introspectDatabase(s, this.pool.flavour, this.encodings, [name]));
    const found = schema.tables[0];
    if (!found) {
      throw new CrmError('CRM_S3001', `table ${table} does not exist in database ${this.pool.database}`, {
        location: { connector: 'mysql', table },
      });
    }
    return found;
  }
}

/** The named columns of a table, in the order asked, or CRM_S3002 naming the first missing one. */
export function pickColumns(schema: TableSchema, names: readonly string[] | undefined): ColumnSchema[] {
  if (!names) return [...schema.columns];
  return names.map((n) => {
    const native = nativeName(n);
    const col = schema.columns.find((c) => c.name === native);
    if (!col) {
      throw new CrmError('CRM_S3002', `column ${n} does not exist in table ${schema.name}`, {
        location: { connector: 'mysql', table: schema.name, column: n },
      });
    }
    return col;
  });
}
