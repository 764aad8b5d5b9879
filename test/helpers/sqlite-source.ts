import { openConnector } from '../../src/connectors/registry.js';
import type { Value } from '../../src/core/types.js';
import { table, textColumn } from './schema-builders.js';

/** A table of text columns: the first one is the key (NOT NULL), then its rows. */
export interface TextTable {
  readonly columns: readonly string[];
  readonly rows: readonly Value[][];
}

/** A SQLite file holding the given text tables, created and filled: the source of a migration test. */
export async function writeSqliteSource(file: string, tables: Readonly<Record<string, TextTable>>): Promise<void> {
  await writeTextTables(`sqlite:${file}`, tables);
}

/** The given text tables, created and filled in the database at `url` (any SQL connector). */
export async function writeTextTables(url: string, tables: Readonly<Record<string, TextTable>>): Promise<void> {
  const source = await openConnector(url);
  try {
    const writer = await source.writer();
    const entries = Object.entries(tables);
    await writer.createTables(
      entries.map(([name, t]) =>
        table(
          name,
          t.columns.map((c, i) => textColumn(c, i > 0)),
          { primaryKey: [t.columns[0]] },
        ),
      ),
    );
    for (const [name, t] of entries) await writer.write(name, { columns: [...t.columns], rows: [...t.rows] }, { mode: 'insert' });
    await writer.close();
  } finally {
    await source.close();
  }
}
