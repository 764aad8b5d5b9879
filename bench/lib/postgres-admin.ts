import pg from 'pg';

/** The URL of database `name` on the server of `adminUrl`. */
export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database for one tool's run (dropped first if an earlier run left it). */
export async function freshDatabase(adminUrl: string, name: string): Promise<string> {
  await withClient(adminUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  });
  return databaseUrl(adminUrl, name);
}

/** Exact row counts of every base table in one schema, to check that a tool really moved what it claims. */
export async function countRows(url: string, schema = 'public'): Promise<Record<string, number>> {
  return withClient(url, async (client) => {
    const tables = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name",
      [schema],
    );
    const counts: Record<string, number> = {};
    for (const { table_name } of tables.rows) {
      const r = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}"."${table_name}"`);
      counts[table_name] = Number(r.rows[0].n);
    }
    return counts;
  });
}

/** Indexes in a schema (primary keys included): each tool must end with its keys and indexes in place. */
export async function indexCount(url: string, schema = 'public'): Promise<number> {
  return withClient(url, async (client) => {
    const r = await client.query<{ n: string }>('SELECT count(*) AS n FROM pg_indexes WHERE schemaname = $1', [schema]);
    return Number(r.rows[0].n);
  });
}
