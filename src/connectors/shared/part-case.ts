/**
 * The SQL expression that numbers a row's part among the parts cut at `cuts` (ascending keys):
 * part i is (cuts[i-1], cuts[i]], the last part is above every cut. A balanced tree of CASEs, so
 * a row costs log2(parts) key comparisons, not one per cut: a bisection may cut into hundreds of
 * parts. `atMost(cut)` is the condition "key <= cut"; it is called in the order its SQL appears
 * in the result, so callers may append placeholder values as it goes.
 */
export function partCase(cuts: readonly (readonly string[])[], atMost: (cut: readonly string[]) => string): string {
  const part = (low: number, high: number): string => {
    if (low === high) return String(low);
    const middle = (low + high) >>> 1;
    return `CASE WHEN ${atMost(cuts[middle])} THEN ${part(low, middle)} ELSE ${part(middle + 1, high)} END`;
  };
  return part(0, cuts.length);
}
