import type { CanonicalRow, ChecksumColumn, ChecksumRequest, ChecksumSession, Connector, ReadReject } from '../../connectors/contract.js';
import { toCanonicalText } from '../../core/canonical.js';
import type { CanonicalType, Row } from '../../core/types.js';
import { keyComparator } from './key-order.js';
import { MemoryChecksum } from './memory-checksum.js';

/** One side of a comparison, ready for checksums. */
export interface OpenedSide {
  readonly session: ChecksumSession;
  /** True when the database computes the hashes (little data moves); false when rows were read and hashed here. */
  readonly pushdown: boolean;
  /** Records the connector could not read (in-process sides only): they take no part in the comparison. */
  readonly unreadable: readonly ReadReject[];
}

/**
 * Opens the checksum session of one table: in its database when the connector can
 * (`openChecksum`), else by reading the rows and hashing their canonical texts in-process.
 */
export async function openSide(connector: Connector, request: ChecksumRequest, options: { pushdown?: boolean } = {}): Promise<OpenedSide> {
  if (options.pushdown !== false && connector.openChecksum) {
    const session = await connector.openChecksum(request);
    if (session) return { session, pushdown: true, unreadable: [] };
  }
  const unreadable: ReadReject[] = [];
  const rows = await readCanonicalRows(connector, request, unreadable);
  return { session: new MemoryChecksum(rows, keyComparator(request.key.map((k) => k.type.kind))), pushdown: false, unreadable };
}

/** Every row of the table as canonical texts of the requested types. */
async function readCanonicalRows(connector: Connector, request: ChecksumRequest, unreadable: ReadReject[]): Promise<CanonicalRow[]> {
  const all: ChecksumColumn[] = [...request.key, ...request.columns];
  const types: Record<string, CanonicalType> = Object.fromEntries(all.map((c) => [c.name, c.type]));
  const n = request.key.length;
  const out: CanonicalRow[] = [];
  const reads = connector.read(request.table, {
    columns: all.map((c) => c.name),
    types,
    batchSize: 5000,
    ...(request.where ? { where: request.where } : {}),
  });
  for await (const batch of reads) {
    if (batch.rejects) unreadable.push(...batch.rejects);
    const idx = all.map((c) => batch.columns.indexOf(c.name));
    for (const row of batch.rows) out.push(canonicalRow(row, idx, all, n));
  }
  return out;
}

export function canonicalRow(row: Row, idx: readonly number[], columns: readonly ChecksumColumn[], keyCount: number): CanonicalRow {
  const texts = idx.map((i, c) => toCanonicalText(row[i], columns[c].type));
  return { key: texts.slice(0, keyCount).map((k) => k ?? ''), values: texts.slice(keyCount) };
}
