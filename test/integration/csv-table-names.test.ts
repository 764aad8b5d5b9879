import { afterAll, expect, it } from 'vitest';
import { openCsv, tempFolder, writeFixture } from '../fixtures/csv/csv-test-helpers.js';

const folder = await tempFolder('csv-table-names');
afterAll(() => folder.cleanup());

/** Regression: `diff … --table res_partner:companies.csv` failed with "no CSV file for table companies.csv" and no hint. */
it('names the folder’s tables when a table is asked for by its file name', async () => {
  await writeFixture(folder.dir, 'companies.csv', 'Record ID,Company name\n1,Acme\n');
  await writeFixture(folder.dir, 'deals.csv', 'Record ID,Deal Name\n5,Big\n');
  const csv = await openCsv(folder.dir);
  try {
    await expect(csv.introspect({ tables: ['companies.csv'] })).rejects.toThrow(
      /no CSV file for table companies\.csv .*named by file without \.csv: companies, deals\)/,
    );
    expect((await csv.introspect({ tables: ['companies'] })).tables.map((t) => t.name)).toEqual(['companies']);
  } finally {
    await csv.close();
  }
});
