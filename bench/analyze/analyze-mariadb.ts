import { loadavg } from 'node:os';
import { openConnector } from '../../src/connectors/registry.js';
import { writeLegacyCrm } from '../../src/sample/index.js';
import { analyze } from '../../src/schema/index.js';
import { startMariadb } from '../../test/setup/mariadb-server.js';

/**
 * `crmbridge analyze` on the sample legacy CRM in MariaDB (issue: record the time). Runs a full
 * (exact) analysis and a sampled one (`sampleRows`, profiles on the first rows of each table).
 * Usage: npx tsx bench/analyze/analyze-mariadb.ts [contacts] [sampleRows]
 */
const contacts = Number(process.argv[2] ?? 100_000);
const sampleRows = Number(process.argv[3] ?? 50_000);
const server = await startMariadb();
try {
  const url = server.url.replace(/\/mysql$/, '/legacy');
  const admin = await openConnector(server.url);
  await admin.close();
  const { default: mysql } = await import('mysql2/promise');
  const conn = await mysql.createConnection(server.url);
  await conn.query('CREATE DATABASE legacy CHARACTER SET utf8mb4');
  await conn.end();
  const target = await openConnector(url);
  const writer = await target.writer();
  const t0 = Date.now();
  const { written } = await writeLegacyCrm(writer, { contacts, seed: 42 });
  await writer.close();
  const rows = Object.values(written).reduce((a, b) => a + b, 0);
  console.log(`generated ${rows} rows (${contacts} contacts) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  for (const options of [{}, { sampleRows }]) {
    const load = loadavg()[0].toFixed(2);
    const started = Date.now();
    const result = await analyze(target, options);
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `analyze ${'sampleRows' in options ? `sampled (${sampleRows} rows per table)` : 'exact'}: ${seconds.toFixed(1)} s, ` +
        `${result.tables.length} tables, ${result.relationships.length} references, ${result.joinTables.length} join tables, ` +
        `${result.polymorphic.length} polymorphic links, load ${load} → ${loadavg()[0].toFixed(2)}`,
    );
  }
  await target.close();
} finally {
  await server.stop();
}
