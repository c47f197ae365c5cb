// Class colors for the palette (Okabe & Ito 2008, distinguishable with the common color-vision deficiencies).
const CLASS_COLORS = ['#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7', '#999999', '#000000'];

/** Color of the class at palette position `index` (0-based), cycling after nine. */
export function classColor(index: number): string {
  return CLASS_COLORS[((index % CLASS_COLORS.length) + CLASS_COLORS.length) % CLASS_COLORS.length];
}
