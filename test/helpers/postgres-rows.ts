import pg from 'pg';

/**
 * Every row of the given PostgreSQL tables, in that table order and by `id` within each, as a
 * line `<table> <row as JSON>`: what a test compares when two runs must leave the same target.
 */
export async function postgresRows(url: string, tables: readonly string[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const out: string[] = [];
    for (const t of tables) {
      const { rows } = await client.query(`SELECT * FROM ${t} ORDER BY id`);
      out.push(...rows.map((r) => `${t} ${JSON.stringify(r)}`));
    }
    return out;
  } finally {
    await client.end();
  }
}

/** Runs SQL (one statement or several) on a PostgreSQL database: the results, one per statement. */
export async function postgresQuery(url: string, text: string): Promise<pg.QueryResult[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query(text);
    return Array.isArray(result) ? result : [result];
  } finally {
    await client.end();
  }
}
