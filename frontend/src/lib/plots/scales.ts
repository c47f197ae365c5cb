// Scales and ticks for the hand-made SVG charts. Hand-made because the app needs six small, static
// chart types with accessible markup (title, desc, focusable points) and nothing interactive beyond
// hover; a chart library would add 50–200 kB to the bundle for features we would not use.

export interface LinearScale {
  (value: number): number;
  domain: [number, number];
  range: [number, number];
  ticks: number[];
}

/** "Nice" step for about `count` ticks over [min, max]: the rough step rounded to 1, 2, 5 or 10 × 10^k (Heckbert, Graphics Gems 1990). */
export function niceStep(min: number, max: number, count: number): number {
  const span = Math.abs(max - min) || Math.abs(max) || 1;
  const rough = span / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const residual = rough / magnitude;
  const nice = residual < 1.5 ? 1 : residual < 3 ? 2 : residual < 7 ? 5 : 10;
  return nice * magnitude;
}

/** Tick values covering [min, max] at a nice step (about `count` of them). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  const step = niceStep(min, max, count);
  const first = Math.ceil(min / step) * step;
  const ticks: number[] = [];
  for (let value = first; value <= max + step * 1e-9; value += step) ticks.push(Number(value.toPrecision(12)));
  return ticks;
}

/** [min, max] of the values with 5% padding; a degenerate range is widened to ±1 (or ±10%). */
export function paddedExtent(values: number[], padding = 0.05): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];
  let min = Math.min(...finite);
  let max = Math.max(...finite);
  if (min === max) {
    const widen = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= widen;
    max += widen;
  }
  const pad = (max - min) * padding;
  return [min - pad, max + pad];
}

/** Linear map from domain to range (pixels), with ticks for the domain. */
export function linearScale(domain: [number, number], range: [number, number], tickCount = 5): LinearScale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const slope = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  const scale = ((value: number) => r0 + (value - d0) * slope) as LinearScale;
  scale.domain = domain;
  scale.range = range;
  scale.ticks = niceTicks(Math.min(d0, d1), Math.max(d0, d1), tickCount);
  return scale;
}

/** Short tick label: up to 4 significant digits, exponent form for very large or small values. */
export function formatTick(value: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e5 || magnitude < 1e-3) return value.toExponential(1);
  return String(Number(value.toPrecision(4)));
}
