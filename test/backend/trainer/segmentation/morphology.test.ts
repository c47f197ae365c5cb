import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../../acquisition/sampling/random.js';
import {
  aggregateSampleMeasurement, connectedRegions, hexagonalOrderOfPoints, measureClassMap, measureClassMapAll, nearestNeighbours,
  SEGMENTATION_QUANTITIES, type ClassMap,
} from '../../../../backend/trainer/segmentation/morphology.js';

/** A binary map (1 inside any disc of radius r around a centre: (x − cx)² + (y − cy)² ≤ r²). */
function discMap(width: number, height: number, centres: [number, number][], r: number): ClassMap {
  const labels = new Uint8Array(width * height);
  for (const [cx, cy] of centres) {
    for (let y = Math.max(0, Math.floor(cy - r)); y <= Math.min(height - 1, Math.ceil(cy + r)); y++) {
      for (let x = Math.max(0, Math.floor(cx - r)); x <= Math.min(width - 1, Math.ceil(cx + r)); x++) {
        if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) labels[y * width + x] = 1;
      }
    }
  }
  return { width, height, labels };
}

/** Centres of a hexagonal lattice of spacing a, offset (ox, oy), within [lo, hi] on both axes. */
function hexLattice(a: number, lo: [number, number], hi: [number, number], ox = 0, oy = 0): [number, number][] {
  const out: [number, number][] = [];
  const rowStep = (a * Math.sqrt(3)) / 2;
  for (let row = -2; row * rowStep + oy <= hi[1] + a; row++) {
    for (let col = -2; col * a + ox <= hi[0] + a; col++) {
      const x = ox + col * a + (Math.abs(row) % 2) * (a / 2);
      const y = oy + row * rowStep;
      if (x >= lo[0] && x <= hi[0] && y >= lo[1] && y <= hi[1]) out.push([x, y]);
    }
  }
  return out;
}

// Digital disc bound: the unit squares of the pixels whose centres lie in a disc of radius r cover the disc of radius
// r − √2/2 and lie inside the disc of radius r + √2/2, so |pixels − πr²| ≤ π(√2·r + ½) and the equivalent diameter
// 2√(pixels/π) is within √2 of 2r.
const areaSlack = (r: number): number => Math.PI * (Math.SQRT2 * r + 0.5);

describe('connected regions', () => {
  it('joins diagonal neighbours (8-connectivity) and flags regions touching the border', () => {
    // 6 x 5 map: a diagonal pair (one region), a border pixel (cut), a lone interior pixel.
    const labels = Uint8Array.from([
      0, 0, 0, 0, 0, 1,
      0, 1, 0, 0, 0, 0,
      0, 0, 1, 0, 0, 0,
      0, 0, 0, 0, 1, 0,
      0, 0, 0, 0, 0, 0,
    ]);
    const regions = connectedRegions({ width: 6, height: 5, labels }, 1);
    expect(regions.count).toBe(3);
    const byArea = [...regions.area];
    expect(byArea.sort()).toEqual([1, 1, 2]);
    const pair = [...regions.area].indexOf(2);
    expect([regions.centroidX[pair], regions.centroidY[pair]]).toEqual([1.5, 1.5]);
    expect([regions.boxWidth[pair], regions.boxHeight[pair]]).toEqual([2, 2]);
    expect(regions.interior[pair]).toBe(1);
    expect([...regions.interior].filter((v) => v === 0)).toHaveLength(1);
  });

  it('handles a 2048 x 1536 map that is one region (no recursion depth)', () => {
    const map = { width: 2048, height: 1536, labels: new Uint8Array(2048 * 1536).fill(1) };
    const regions = connectedRegions(map, 1);
    expect(regions.count).toBe(1);
    expect(regions.area[0]).toBe(2048 * 1536);
    expect(regions.interior[0]).toBe(0);
    expect(measureClassMap(map, 1, 'area-fraction')).toBe(1);
    expect(measureClassMap(map, 1, 'mean-equivalent-diameter')).toBeNull();
    expect(measureClassMap(map, 1, 'number-density')).toBe(0);
  });
});

describe('measureClassMap on a hexagonal disc lattice', () => {
  const size = 512;
  const a = 24;
  const r = 7;
  // Every disc fully inside (2 px from the border) for the whole-image quantities.
  const inside = hexLattice(a, [r + 2, r + 2], [size - r - 3, size - r - 3], 10.3, 9.7);
  const map = discMap(size, size, inside, r);

  it('area fraction ≈ Nπr²/A within the digitization bound N·π(√2r + ½)/A', () => {
    const expected = (inside.length * Math.PI * r * r) / (size * size);
    const fraction = measureClassMap(map, 1, 'area-fraction') ?? NaN;
    expect(Math.abs(fraction - expected)).toBeLessThanOrEqual((inside.length * areaSlack(r)) / (size * size));
    // The background is the rest.
    expect((measureClassMap(map, 0, 'area-fraction') ?? NaN) + fraction).toBeCloseTo(1, 12);
  });

  it('mean equivalent diameter is within √2 of 2r, and equal discs have dispersity ≤ √2/(2r − √2)', () => {
    const diameter = measureClassMap(map, 1, 'mean-equivalent-diameter') ?? NaN;
    expect(Math.abs(diameter - 2 * r)).toBeLessThanOrEqual(Math.SQRT2);
    expect(measureClassMap(map, 1, 'diameter-dispersity')).toBeLessThanOrEqual(Math.SQRT2 / (2 * r - Math.SQRT2));
    // Discs centred on pixel centres are identical digital discs: dispersity exactly 0.
    const identical = discMap(100, 100, [[20, 20], [50, 20], [20, 60], [70, 70]], 6);
    expect(measureClassMap(identical, 1, 'diameter-dispersity')).toBeCloseTo(0, 12);
  });

  it('hexagonal order is ≈ 1 on the perfect lattice', () => {
    expect(measureClassMap(map, 1, 'hexagonal-order')).toBeGreaterThan(0.95);
    const filled = discMap(size, size, hexLattice(a, [-a, -a], [size + a, size + a], 3.2, 4.1), r);
    expect(measureClassMap(filled, 1, 'hexagonal-order')).toBeGreaterThan(0.95);
  });

  it('orders a mildly jittered lattice above a strongly jittered one, both below 1', () => {
    const rng = createRandom(4);
    const jittered = (sigma: number): ClassMap => discMap(size, size, hexLattice(a, [-a, -a], [size + a, size + a]).map(([x, y]) => [x + sigma * rng.normal(), y + sigma * rng.normal()]), r - 2);
    const mild = measureClassMap(jittered(1), 1, 'hexagonal-order') ?? NaN;
    const strong = measureClassMap(jittered(4), 1, 'hexagonal-order') ?? NaN;
    expect(mild).toBeLessThan(1);
    expect(strong).toBeLessThan(mild);
  });

  it('counts regions per area with the Miles–Lantuéjoul correction: unbiased for a lattice cut by the border', () => {
    // True density of a hexagonal lattice: 2 / (√3 a²). Average over random translations of a small window, where the
    // naive interior-count / area would be low by ≈ (1 − (2r + 2)/W)² ≈ 0.79.
    const rng = createRandom(9);
    const w = 128;
    let sum = 0;
    let naive = 0;
    const trials = 60;
    for (let t = 0; t < trials; t++) {
      const m = discMap(w, w, hexLattice(a, [-a, -a], [w + a, w + a], rng.uniform() * a, rng.uniform() * a * Math.sqrt(3)), r);
      sum += measureClassMap(m, 1, 'number-density') ?? NaN;
      const regions = connectedRegions(m, 1);
      naive += [...regions.interior].filter((v) => v === 1).length / (w * w);
    }
    const truth = 2 / (Math.sqrt(3) * a * a);
    expect(sum / trials / truth).toBeGreaterThan(0.97);
    expect(sum / trials / truth).toBeLessThan(1.03);
    expect(naive / trials / truth).toBeLessThan(0.9);
  });
});

describe('measureClassMap details', () => {
  it('number density is Σ 1/((W−1−w)(H−1−h)) over interior regions (hand-computed)', () => {
    const labels = new Uint8Array(20 * 20);
    const square = (x0: number, y0: number, s: number): void => {
      for (let y = y0; y < y0 + s; y++) for (let x = x0; x < x0 + s; x++) labels[y * 20 + x] = 1;
    };
    square(2, 2, 3);
    square(10, 12, 4);
    square(0, 8, 5); // touches the left border: left out
    const map = { width: 20, height: 20, labels };
    expect(measureClassMap(map, 1, 'number-density')).toBeCloseTo(1 / (16 * 16) + 1 / (15 * 15), 15);
    // Equivalent diameters of the two interior squares: 2√(9/π), 2√(16/π).
    const d = [2 * Math.sqrt(9 / Math.PI), 2 * Math.sqrt(16 / Math.PI)];
    expect(measureClassMap(map, 1, 'mean-equivalent-diameter')).toBeCloseTo((d[0] + d[1]) / 2, 12);
    expect(measureClassMap(map, 1, 'diameter-dispersity')).toBeCloseTo(Math.abs(d[1] - d[0]) / 2 / ((d[0] + d[1]) / 2), 12);
  });

  it('leaves regions cut by the border out of diameters', () => {
    // One interior disc of radius 5 and a large disc centred on the border.
    const map = discMap(200, 200, [[100, 100], [0, 60]], 5);
    const big = discMap(200, 200, [[0, 60]], 30);
    for (let p = 0; p < map.labels.length; p++) map.labels[p] |= big.labels[p];
    const diameter = measureClassMap(map, 1, 'mean-equivalent-diameter') ?? NaN;
    expect(Math.abs(diameter - 10)).toBeLessThanOrEqual(Math.SQRT2);
    expect(measureClassMap(map, 1, 'diameter-dispersity')).toBe(0);
    expect(connectedRegions(map, 1).count).toBe(2);
  });

  it('leaves specks under minRegionArea pixels out of region quantities, not out of the area fraction', () => {
    const clean = discMap(200, 200, hexLattice(25, [-25, -25], [225, 225], 2, 3), 7);
    const specked = { ...clean, labels: clean.labels.slice() };
    // Single solid-surrounded pixels halfway between lattice rows (8-isolated from every disc).
    let specks = 0;
    for (let y = 20; y < 180; y += 23) {
      for (let x = 15; x < 185; x += 17) {
        const around = [-1, 0, 1].flatMap((dy) => [-1, 0, 1].map((dx) => clean.labels[(y + dy) * 200 + x + dx]));
        if (around.every((v) => v === 0)) {
          specked.labels[y * 200 + x] = 1;
          specks++;
        }
      }
    }
    expect(specks).toBeGreaterThan(5);
    for (const quantity of ['mean-equivalent-diameter', 'number-density', 'diameter-dispersity', 'hexagonal-order'] as const) {
      expect(measureClassMap(specked, 1, quantity)).toBe(measureClassMap(clean, 1, quantity));
    }
    expect(measureClassMap(specked, 1, 'area-fraction')).toBeCloseTo((measureClassMap(clean, 1, 'area-fraction') ?? NaN) + specks / 200 ** 2, 12);
    // Counting every region, each speck adds a diameter of 2/√π.
    const all = { minRegionArea: 1 };
    const regions = connectedRegions(clean, 1);
    const interior = [...regions.area].filter((_, i) => regions.interior[i] === 1);
    const withSpecks = [...interior.map((area) => 2 * Math.sqrt(area / Math.PI)), ...Array<number>(specks).fill(2 / Math.sqrt(Math.PI))];
    expect(measureClassMap(specked, 1, 'mean-equivalent-diameter', 1, all)).toBeCloseTo(withSpecks.reduce((p, q) => p + q, 0) / withSpecks.length, 12);
  });

  it('scales lengths by the pixel size and densities by its square; fractions, dispersity and order do not change', () => {
    const map = discMap(300, 300, hexLattice(30, [-30, -30], [330, 330], 1.5, 2.5), 8);
    const s = 2.5;
    for (const quantity of SEGMENTATION_QUANTITIES) {
      const unit = measureClassMap(map, 1, quantity) ?? NaN;
      const scaled = measureClassMap(map, 1, quantity, s) ?? NaN;
      const factor = quantity === 'mean-equivalent-diameter' ? s : quantity === 'number-density' ? 1 / (s * s) : 1;
      expect(Number.isFinite(unit)).toBe(true);
      expect(scaled).toBeCloseTo(unit * factor, 12);
    }
    expect(() => measureClassMap(map, 1, 'area-fraction', 0)).toThrow(RangeError);
  });

  it('is null for every quantity on an empty map; an absent class has fraction and density 0 and no diameter', () => {
    const empty = { width: 0, height: 0, labels: new Uint8Array(0) };
    for (const quantity of SEGMENTATION_QUANTITIES) expect(measureClassMap(empty, 1, quantity)).toBeNull();
    const blank = { width: 10, height: 10, labels: new Uint8Array(100) };
    expect(measureClassMap(blank, 1, 'area-fraction')).toBe(0);
    expect(measureClassMap(blank, 1, 'number-density')).toBe(0);
    expect(measureClassMap(blank, 1, 'mean-equivalent-diameter')).toBeNull();
    expect(measureClassMap(blank, 1, 'diameter-dispersity')).toBeNull();
    expect(measureClassMap(blank, 1, 'hexagonal-order')).toBeNull();
    expect(() => measureClassMap({ width: 3, height: 3, labels: new Uint8Array(8) }, 1, 'area-fraction')).toThrow(RangeError);
  });

  it('measureClassMapAll equals one measureClassMap per request, null for a missing class', () => {
    const map = discMap(120, 120, hexLattice(20, [-20, -20], [140, 140]), 5);
    const requests = [
      { classIndex: 1, quantity: 'area-fraction' as const },
      { classIndex: 1, quantity: 'mean-equivalent-diameter' as const },
      { classIndex: 0, quantity: 'area-fraction' as const },
      { classIndex: null, quantity: 'area-fraction' as const },
    ];
    expect(measureClassMapAll(map, requests)).toEqual([
      measureClassMap(map, 1, 'area-fraction'), measureClassMap(map, 1, 'mean-equivalent-diameter'), measureClassMap(map, 0, 'area-fraction'), null,
    ]);
  });
});

describe('hexagonal order of points', () => {
  it('is below 0.3 for Poisson (uniform random) points, fixed seed', () => {
    const rng = createRandom(17);
    const n = 2000;
    const x = Float64Array.from({ length: n }, () => rng.uniform() * 1000);
    const y = Float64Array.from({ length: n }, () => rng.uniform() * 1000);
    const order = hexagonalOrderOfPoints({ x, y }, 1000, 1000) ?? NaN;
    expect(order).toBeGreaterThan(0);
    expect(order).toBeLessThan(0.3);
  });

  it('is null with fewer than 7 points or when every neighbourhood reaches the border', () => {
    expect(hexagonalOrderOfPoints({ x: Float64Array.of(1, 2, 3), y: Float64Array.of(1, 2, 3) }, 10, 10)).toBeNull();
    const ring = Array.from({ length: 7 }, (_, i) => [50 + 10 * Math.cos(i), 50 + 10 * Math.sin(i)]);
    expect(hexagonalOrderOfPoints({ x: Float64Array.from(ring, (p) => p[0]), y: Float64Array.from(ring, (p) => p[1]) }, 100, 100, 45)).toBeNull();
  });

  it('finds the same 6 nearest neighbours as brute force', () => {
    const rng = createRandom(3);
    const n = 400;
    const x = Float64Array.from({ length: n }, () => rng.uniform() * 300);
    // Clustered in y, so cells hold very different counts.
    const y = Float64Array.from({ length: n }, () => (rng.uniform() < 0.5 ? rng.uniform() * 20 : 100 + rng.uniform() * 200));
    const { neighbours, reach } = nearestNeighbours({ x, y }, 300, 300, 6);
    for (let i = 0; i < n; i++) {
      const d = Array.from({ length: n }, (_, j) => ({ j, d: Math.hypot(x[j] - x[i], y[j] - y[i]) })).filter((e) => e.j !== i).sort((p, q) => p.d - q.d);
      expect(reach[i]).toBeCloseTo(d[5].d, 12);
      expect([...neighbours.subarray(i * 6, i * 6 + 6)].map((j) => Math.hypot(x[j] - x[i], y[j] - y[i]))).toEqual(d.slice(0, 6).map((e) => e.d));
    }
  });
});

describe('aggregateSampleMeasurement', () => {
  it('combines the spread over images (s²/n) with the mean member sample variance (M − 1)', () => {
    // value (1 + 3)/2 = 2; s² = ((1−2)² + (3−2)²)/1 = 2, /n = 1; member variances 0 and ((2−3)² + (4−3)²)/1 = 2 → mean 1.
    const out = aggregateSampleMeasurement([{ value: 1, members: [1, 1, 1] }, { value: 3, members: [2, 4] }]);
    expect(out?.value).toBe(2);
    expect(out?.std).toBeCloseTo(Math.sqrt(2), 12);
    // Three members 1, 2, 3: sample variance 1 (the population variance would say 2/3).
    expect(aggregateSampleMeasurement([{ value: 2, members: [1, 2, 3] }])?.std).toBeCloseTo(1, 12);
  });

  it('uses only the member spread for one image, skips null values and counts null members', () => {
    expect(aggregateSampleMeasurement([{ value: 5, members: [4, 6] }])).toEqual({ value: 5, std: Math.SQRT2, undefinedMembers: 0 });
    const out = aggregateSampleMeasurement([{ value: null, members: [1] }, { value: 2, members: [null, 2, 4] }]);
    expect(out).toEqual({ value: 2, std: Math.SQRT2, undefinedMembers: 1 });
    // One defined member has no spread to estimate.
    expect(aggregateSampleMeasurement([{ value: 2, members: [null, 3, null] }])).toEqual({ value: 2, std: 0, undefinedMembers: 2 });
    // Three images: values 1, 2, 6 → mean 3, s² = (4 + 1 + 9)/2 = 7, /3; members all equal → 0.
    const three = aggregateSampleMeasurement([1, 2, 6].map((v) => ({ value: v, members: [v, v] })));
    expect(three?.value).toBe(3);
    expect(three?.std).toBeCloseTo(Math.sqrt(7 / 3), 12);
  });

  it('is null when no image has a value', () => {
    expect(aggregateSampleMeasurement([])).toBeNull();
    expect(aggregateSampleMeasurement([{ value: null, members: [1, 2] }])).toBeNull();
  });
});
