import { parse } from 'csv-parse/sync';
import { type CsvDialect, parseOptions } from './csv-dialect.js';

/** Candidates in order of preference when two fit equally well. */
export const DELIMITER_CANDIDATES = [',', ';', '\t', '|'] as const;

const SAMPLE_RECORDS = 200;

/**
 * Picks the candidate that splits the sample's records most consistently into the most fields:
 * the parser (not a character count) does the splitting, so delimiters inside quoted fields do not
 * count. A file with one column has no delimiter to find and gets `,`.
 */
export function detectDelimiter(sampleText: string, dialect: Omit<CsvDialect, 'delimiter'>): string {
  let best: { delimiter: string; share: number; width: number } = { delimiter: ',', share: 0, width: 1 };
  for (const delimiter of DELIMITER_CANDIDATES) {
    const records = parse(sampleText, { ...parseOptions({ ...dialect, delimiter }), to: SAMPLE_RECORDS }) as string[][];
    const counts = new Map<number, number>();
    for (const r of records) counts.set(r.length, (counts.get(r.length) ?? 0) + 1);
    let width = 1;
    let hits = 0;
    for (const [w, n] of counts) if (n > hits || (n === hits && w > width)) [width, hits] = [w, n];
    if (width < 2) continue;
    const share = hits / records.length;
    if (share > best.share || (share === best.share && width > best.width)) best = { delimiter, share, width };
  }
  return best.delimiter;
}
