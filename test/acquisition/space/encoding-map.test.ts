import { describe, expect, it } from 'vitest';
import type { NetworkEncoding } from '../../../acquisition/models/ensemble/types.js';
import { createDesignSpaceEncoding } from '../../../acquisition/space/encoding.js';
import { encodingMap } from '../../../acquisition/space/encoding-map.js';
import type { Parameter, ParamValues } from '../../../acquisition/types.js';

const encode = (e: NetworkEncoding, params: ParamValues, features?: Record<string, number>): number[] =>
  createDesignSpaceEncoding(e.parameters, e.features ?? undefined).encode(params, features);

const parameters: Parameter[] = [
  { name: 'temperature', type: 'continuous', min: 20, max: 80 },
  { name: 'rate', type: 'continuous', min: 0.01, max: 10, log: true },
  { name: 'layers', type: 'integer', min: 1, max: 5 },
  { name: 'solvent', type: 'categorical', choices: ['water', 'ethanol', 'dmf'] },
  { name: 'count', type: 'integer', min: 2, max: 64, log: true },
];

describe('encodingMap', () => {
  const from: NetworkEncoding = { parameters, features: { names: ['mw', 'logp'], min: [100, -2], max: [500, 4] } };

  it('is the identity between equal encodings', () => {
    const map = encodingMap(from, from)!;
    const x = encode(from, { temperature: 33, rate: 0.5, layers: 4, solvent: 'dmf', count: 9 }, { mw: 250, logp: 1 });
    expect(map(x)).toEqual(x);
  });

  it('maps a point encoded in one encoding onto the same point encoded in another (bounds, log, integer, choices, features)', () => {
    const to: NetworkEncoding = {
      // Other order, other bounds, choices permuted, features in another order with other scalings and one dropped.
      parameters: [
        { name: 'solvent', type: 'categorical', choices: ['dmf', 'water', 'ethanol'] },
        { name: 'count', type: 'integer', min: 1, max: 128, log: true },
        { name: 'layers', type: 'integer', min: 0, max: 9 },
        { name: 'rate', type: 'continuous', min: 0.001, max: 100, log: true },
        { name: 'temperature', type: 'continuous', min: 0, max: 100 },
      ],
      features: { names: ['logp'], min: [-5], max: [5] },
    };
    const map = encodingMap(from, to)!;
    expect(map).not.toBeNull();
    expect(map.fromWidth).toBe(9);
    expect(map.toWidth).toBe(8);
    const points: Array<[ParamValues, Record<string, number>]> = [
      [{ temperature: 20, rate: 0.01, layers: 1, solvent: 'water', count: 2 }, { mw: 100, logp: -2 }],
      [{ temperature: 61.5, rate: 3.3, layers: 3, solvent: 'ethanol', count: 17 }, { mw: 420, logp: 0.7 }],
      [{ temperature: 80, rate: 10, layers: 5, solvent: 'dmf', count: 64 }, { mw: 500, logp: 4 }],
    ];
    for (const [params, features] of points) {
      const mapped = map(encode(from, params, features));
      const expected = encode(to, params, features);
      mapped.forEach((v, j) => expect(v).toBeCloseTo(expected[j], 12));
    }
  });

  it('maps a constant source feature to its one value and a constant target feature to 0', () => {
    const a: NetworkEncoding = { parameters: parameters.slice(0, 1), features: { names: ['f', 'g'], min: [3, 0], max: [3, 10] } };
    const b: NetworkEncoding = { parameters: parameters.slice(0, 1), features: { names: ['g', 'f'], min: [5, 1], max: [5, 5] } };
    const x = encode(a, { temperature: 50 }, { f: 3, g: 5 });
    const mapped = encodingMap(a, b)!(x);
    expect(mapped).toEqual([0.5, 0, 0.5]);
  });

  it('is null when the encodings do not describe the same space', () => {
    const renamed = { parameters: parameters.map((p, i) => (i === 0 ? { ...p, name: 'temp' } : p)), features: from.features };
    const otherChoices = { parameters: parameters.map((p) => (p.type === 'categorical' ? { ...p, choices: ['water', 'ethanol', 'thf'] } : p)), features: from.features };
    const linearRate = { parameters: parameters.map((p) => (p.name === 'rate' ? { ...p, log: false } : p)), features: from.features };
    const integerTemperature = { parameters: parameters.map((p) => (p.name === 'temperature' ? { ...p, type: 'integer' as const } : p)), features: from.features };
    const missingFeature = { parameters, features: { names: ['mw', 'tpsa'], min: [0, 0], max: [1, 1] } };
    const fewerParameters = { parameters: parameters.slice(1), features: from.features };
    for (const to of [renamed, otherChoices, linearRate, integerTemperature, missingFeature, fewerParameters]) expect(encodingMap(from, to)).toBeNull();
    // Features the target does not use are dropped; features it needs must be there.
    expect(encodingMap(from, { parameters, features: null })).not.toBeNull();
    expect(encodingMap({ parameters, features: null }, from)).toBeNull();
  });

  it('refuses a point of the wrong width', () => {
    expect(() => encodingMap(from, from)!([0.5])).toThrow(/columns/);
  });
});
