import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openConnector } from '../../src/connectors/registry.js';
import { generateLegacyCrm } from '../../src/sample/legacy-crm.js';
import type { Analysis } from '../../src/schema/analysis-types.js';
import { analyze } from '../../src/schema/analyze.js';

/** Writes the sample legacy CRM (`contacts` contacts) to a throwaway SQLite file and analyses it. */
export async function analyseLegacySample(contacts: number): Promise<Analysis> {
  const folder = mkdtempSync(join(tmpdir(), 'crmbridge-suggest-'));
  const connector = await openConnector(`sqlite:${join(folder, 'legacy.db')}`);
  try {
    const sample = generateLegacyCrm({ contacts });
    const writer = await connector.writer();
    await writer.createTables(sample.schema);
    for await (const { table, batch } of sample.tables()) await writer.write(table, batch, { mode: 'insert' });
    await writer.close();
    return await analyze(connector);
  } finally {
    await connector.close();
    rmSync(folder, { recursive: true, force: true });
  }
}
