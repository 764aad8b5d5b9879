import type { ConnectionSpec } from '../contract.js';
import { CsvConnector } from './csv-connector.js';
import { CsvLocation } from './csv-location.js';
import { parseCsvOptions } from './csv-options.js';

export { CsvConnector, type CsvFileReport } from './csv-connector.js';

/** Opens a CSV file or a folder of CSV files. Nothing is read until a table is introspected or read. */
export async function open(spec: ConnectionSpec): Promise<CsvConnector> {
  const options = parseCsvOptions(spec.options);
  return new CsvConnector(CsvLocation.resolve(spec.resolved), options, spec.raw);
}
