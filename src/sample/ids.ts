import { fmix32, hash32 } from './prng.js';

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/**
 * The char(36) key of row `index` of the id space `space` (a table, or a namespace such as the
 * orphan targets). Sugar's GUIDs are lower-case 8-4-4-4-12 hex without RFC 4122 version bits,
 * and so are these.
 *
 * Injective: word `a` depends on the space only and word `b` is a bijection of the index
 * (fmix32 is invertible), so distinct (space, index) pairs give distinct ids; XOR-ing `c` into
 * the first word keeps that (it can be undone) and only makes the ids look unrelated.
 */
export function sampleId(seed: number, space: number, index: number): string {
  const a = fmix32(seed ^ Math.imul(space + 1, 0x9e3779b1));
  const b = fmix32((index + Math.imul(seed, 0x85ebca6b)) >>> 0);
  const c = hash32(seed, space, index);
  const d = hash32(seed, space + 0x1000, index);
  const w = (a ^ c) >>> 0;
  return (
    `${HEX[w >>> 24]}${HEX[(w >>> 16) & 0xff]}${HEX[(w >>> 8) & 0xff]}${HEX[w & 0xff]}-` +
    `${HEX[b >>> 24]}${HEX[(b >>> 16) & 0xff]}-${HEX[(b >>> 8) & 0xff]}${HEX[b & 0xff]}-` +
    `${HEX[d >>> 24]}${HEX[(d >>> 16) & 0xff]}-${HEX[(d >>> 8) & 0xff]}${HEX[d & 0xff]}` +
    `${HEX[c >>> 24]}${HEX[(c >>> 16) & 0xff]}${HEX[(c >>> 8) & 0xff]}${HEX[c & 0xff]}`
  );
}
