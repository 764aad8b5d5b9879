import type { ColumnSchema, TableSchema } from '../../core/types.js';
import { readSidecar } from '../shared/sidecar-schema.js';
import { type CsvFormat, detectFormat } from './csv-format.js';
import type { CsvOptions } from './csv-options.js';

/** One table of a CSV connection: its file's format and its schema (sidecar types where there is a sidecar). */
export interface CsvTable {
  readonly format: CsvFormat;
  readonly sidecar: TableSchema | undefined;
  readonly schema: TableSchema;
}

export async function openTable(name: string, file: string, options: CsvOptions): Promise<CsvTable> {
  const sidecar = await readSidecar(file);
  const format = await detectFormat(file, options, sidecar?.columns.length);
  const declared = new Map(sidecar?.columns.map((c) => [c.name, c]));
  // Without a sidecar every column is text: inferring types is `analyze`'s job, not the connector's.
  const columns: ColumnSchema[] = format.columns.map(
    (column) => declared.get(column) ?? { name: column, type: { kind: 'text' }, nativeType: 'csv', nullable: true },
  );
  const present = (cols: readonly string[]) => cols.every((c) => format.columns.includes(c));
  const schema: TableSchema = {
    name,
    columns,
    primaryKey: sidecar && present(sidecar.primaryKey) ? sidecar.primaryKey : [],
    uniqueKeys: sidecar?.uniqueKeys.filter(present) ?? [],
    foreignKeys: sidecar?.foreignKeys.filter((fk) => present(fk.columns)) ?? [],
    indexes: sidecar?.indexes.filter((ix) => present(ix.columns)) ?? [],
  };
  return { format, sidecar, schema };
}
