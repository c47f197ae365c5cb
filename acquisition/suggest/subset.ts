/**
 * Subset-of-data approximation of a GP (Chalupka, Williams & Murray 2013, JMLR 14): above EXACT_GP_MAX_ROWS rows an
 * exact GP (O(n³) fit) is fitted to a subset of the rows instead. The subset keeps the best quarter of the values
 * (where the acquisition looks, so the incumbent's neighbourhood keeps its detail) and an evenly spaced selection of
 * the other rows in their order (results arrive over time, so the campaign's history stays covered). It is a pure
 * function of the values, so the same data gives the same subset and a model cache still hits.
 */

/** Rows above which an outcome's GP is fitted on subsetOfData (a 2,000-row fit takes seconds; see bench/large-pool). */
export const EXACT_GP_MAX_ROWS = 2000;

/**
 * Indices (ascending) of at most `max` rows: all of them when there are no more than `max`; otherwise the ⌊max/4⌋
 * largest values z (ties: the earlier row) and, of the remaining R rows in order, those at ⌊(i + ½)·R/(max − ⌊max/4⌋)⌋.
 */
export function subsetOfData(z: ArrayLike<number>, max = EXACT_GP_MAX_ROWS): number[] {
  const n = z.length;
  if (!(Number.isInteger(max) && max >= 1)) throw new RangeError(`subsetOfData needs a positive integer max, got ${max}`);
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const bestCount = Math.floor(max / 4);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => compareValues(z[b], z[a]) || a - b);
  const chosen = new Uint8Array(n);
  for (let k = 0; k < bestCount; k++) chosen[order[k]] = 1;
  const rest: number[] = [];
  for (let i = 0; i < n; i++) if (!chosen[i]) rest.push(i);
  const need = max - bestCount;
  // rest.length = n − bestCount > need, so the spacing exceeds 1 and the picks are distinct.
  for (let i = 0; i < need; i++) chosen[rest[Math.floor(((i + 0.5) * rest.length) / need)]] = 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (chosen[i]) out.push(i);
  return out;
}

/** Orders numbers with NaN below everything, so a stray NaN never counts among the best. */
function compareValues(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1;
  if (Number.isNaN(b)) return 1;
  return a - b;
}
