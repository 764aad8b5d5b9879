import { CrmError } from '../../core/errors/index.js';
import type { PostgresDatabase } from './postgres-database.js';
import { storedName } from './postgres-identifiers.js';

export interface CatalogColumn {
  readonly name: string;
  /** The type without modifiers (`character varying`, `numeric`): safe to cast key arrays to. */
  readonly type: string;
}

/**
 * Column names and types of tables, looked up once per table and kept for the connector's life.
 * Invariant: a table's columns change only through this connector's writer, which calls `forget`.
 */
export class PostgresCatalog {
  private readonly cache = new Map<string, Promise<readonly CatalogColumn[]>>();

  constructor(private readonly db: PostgresDatabase) {}

  /** The table's columns in order; CRM_S3001 when the table does not exist. */
  columns(table: string): Promise<readonly CatalogColumn[]> {
    let entry = this.cache.get(table);
    if (!entry) {
      entry = this.lookUp(table);
      this.cache.set(table, entry);
      entry.catch(() => this.cache.delete(table));
    }
    return entry;
  }

  /** The catalog types of `names`, in that order; CRM_S3002 for a name the table lacks. */
  async typesOf(table: string, names: readonly string[]): Promise<string[]> {
    const columns = await this.columns(table);
    return names.map((name) => {
      const column = columns.find((c) => c.name === storedName(name));
      if (!column)
        throw new CrmError('CRM_S3002', `column ${name} not in ${table}`, { location: { connector: 'postgres', table, column: name } });
      return column.type;
    });
  }

  forget(): void {
    this.cache.clear();
  }

  private async lookUp(table: string): Promise<readonly CatalogColumn[]> {
    const rows = await this.db.query<{ name: string; type: string }>(
      `SELECT a.attname AS name, format_type(a.atttypid, NULL) AS type
         FROM pg_attribute a
        WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum`,
      [this.db.table(table)],
      table,
    );
    // A table always has a column in practice, so no rows means no such table.
    if (rows.length === 0) {
      throw new CrmError('CRM_S3001', `table ${table} not found in schema ${this.db.schema}`, {
        location: { connector: 'postgres', table },
      });
    }
    return rows;
  }
}
