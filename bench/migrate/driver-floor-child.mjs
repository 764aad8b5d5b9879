// The drivers' floor, run as its own process so it is timed like the other tools:
//   node driver-floor-child.mjs <crmbridge dist folder> <scripts folder> <table>...
// with SOURCE_URL (MariaDB) and TARGET_URL (PostgreSQL) in the environment. It creates the bare
// tables (create.sql), streams every table at once from the source connector into the target
// connector's COPY in batches of 2,000 rows, then adds each table's keys (<table>.keys.sql).
// Plain JavaScript on the compiled connectors: no TypeScript loader in the measured process.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

const [dist, dir, ...tables] = process.argv.slice(2);
const { openConnector } = await import(pathToFileURL(join(dist, 'connectors', 'registry.js')).href);
const script = (name) => readFile(join(dir, name), 'utf8');

/** Runs one SQL script on its own connection (several statements in one simple query). */
async function runScript(name) {
  const client = new pg.Client({ connectionString: process.env.TARGET_URL });
  await client.connect();
  try {
    await client.query(await script(name));
  } finally {
    await client.end();
  }
}

await runScript('create.sql');
const source = await openConnector(process.env.SOURCE_URL);
const target = await openConnector(process.env.TARGET_URL);
const writer = await target.writer();
let rows = 0;
try {
  await Promise.all(
    tables.map(async (table) => {
      for await (const batch of source.read(table, { batchSize: 2000 })) {
        rows += await writer.write(table, batch, { mode: 'insert' });
      }
      await runScript(`${table}.keys.sql`);
    }),
  );
} finally {
  await writer.close();
  await Promise.all([source.close(), target.close()]);
}
process.stdout.write(`${rows} rows\n`);
