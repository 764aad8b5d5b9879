import { hash } from 'node:crypto';

const PREFIX = 'md5:';

/**
 * The journal keeps, for each row a run created, only a digest of the canonical texts it wrote
 * (the column list is stored once per object with the run): enough for rollback to tell whether
 * someone changed the row since, at a fraction of the cost of the full after-image.
 */
export function rowDigest(texts: readonly (string | null)[]): string {
  return PREFIX + hash('md5', JSON.stringify(texts), 'base64');
}

export function isRowDigest(after: string): boolean {
  return after.startsWith(PREFIX);
}

/**
 * The columns each created row's digest covers, per object: those pass 1 writes (the deferred
 * references come later, journalled as updates). Stored with every run that creates rows
 * (migrate, sync) as the run option `journalColumns`, which rollback reads.
 */
export function journalColumnsOf(
  objects: readonly {
    readonly name: string;
    readonly target: { readonly columns: readonly string[] };
    readonly deferredFields: readonly string[];
  }[],
): Record<string, readonly string[]> {
  return Object.fromEntries(objects.map((o) => [o.name, o.target.columns.filter((c) => !o.deferredFields.includes(c))]));
}
