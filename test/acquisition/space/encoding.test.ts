import { describe, expect, it } from 'vitest';
import { InvalidDesignSpaceError, InvalidParamValuesError } from '../../../acquisition/errors.js';
import { createDesignSpaceEncoding, fitFeatureScaling } from '../../../acquisition/space/encoding.js';
import type { Parameter } from '../../../acquisition/types.js';

const parameters: Parameter[] = [
  { name: 'temperature', type: 'continuous', min: 20, max: 120 },
  { name: 'concentration', type: 'continuous', min: 1e-3, max: 10, log: true },
  { name: 'layers', type: 'integer', min: 1, max: 5 },
  { name: 'solvent', type: 'categorical', choices: ['water', 'ethanol', 'dmf'] },
];

describe('design-space encoding', () => {
  const encoding = createDesignSpaceEncoding(parameters);

  it('lays out one column per numeric parameter and one-hot columns per categorical', () => {
    expect(encoding.parameterDimension).toBe(6);
    expect(encoding.encode({ temperature: 70, concentration: 0.1, layers: 3, solvent: 'ethanol' })).toEqual([0.5, 0.5, 0.5, 0, 1, 0]);
  });

  it('maps linear and log bounds to 0 and 1, integers to the centres of equal slices', () => {
    const low = encoding.encode({ temperature: 20, concentration: 1e-3, layers: 1, solvent: 'water' });
    expect(low[0]).toBe(0);
    expect(low[1]).toBeCloseTo(0, 14);
    expect(low[2]).toBeCloseTo(0.1, 14);
  });

  it('round-trips log, integer and categorical values', () => {
    const params = { temperature: 33.3, concentration: 0.0042, layers: 4, solvent: 'dmf' };
    const decoded = encoding.decode(encoding.encode(params));
    expect(decoded.temperature).toBeCloseTo(33.3, 12);
    expect(decoded.concentration).toBeCloseTo(0.0042, 15);
    expect(decoded.layers).toBe(4);
    expect(decoded.solvent).toBe('dmf');
  });

  it('rounds integers, clamps to bounds and takes the argmax category when decoding arbitrary points', () => {
    const decoded = encoding.decode([1.2, -0.1, 0.69, 0.2, 0.1, 0.7]);
    expect(decoded).toEqual({ temperature: 120, concentration: 1e-3, layers: 4, solvent: 'dmf' });
    const x = [0.3, 0.4, 0.69, 0.2, 0.1, 0.7];
    expect(encoding.project(encoding.project(x))).toEqual(encoding.project(x));
  });

  it('gives equal keys to values that decode identically', () => {
    expect(encoding.key({ temperature: 50, concentration: 1, layers: 2, solvent: 'water' }))
      .toBe(encoding.key(encoding.decode(encoding.encode({ temperature: 50, concentration: 1, layers: 2, solvent: 'water' }))));
  });

  it('throws typed errors for bad values', () => {
    expect(() => encoding.encode({ temperature: 50, concentration: 1, layers: 2 })).toThrow(InvalidParamValuesError);
    expect(() => encoding.encode({ temperature: 50, concentration: 1, layers: 2, solvent: 'acetone' })).toThrow(InvalidParamValuesError);
    expect(() => encoding.encode({ temperature: 50, concentration: -1, layers: 2, solvent: 'water' })).toThrow(InvalidParamValuesError);
    expect(() => encoding.encode({ temperature: 50, concentration: 1, layers: 2.5, solvent: 'water' })).toThrow(InvalidParamValuesError);
  });

  it('throws typed errors for malformed design spaces', () => {
    expect(() => createDesignSpaceEncoding([])).toThrow(InvalidDesignSpaceError);
    expect(() => createDesignSpaceEncoding([{ name: 'a', type: 'continuous', min: 1, max: 1 }])).toThrow(InvalidDesignSpaceError);
    expect(() => createDesignSpaceEncoding([{ name: 'a', type: 'continuous', min: 0, max: 1, log: true }])).toThrow(InvalidDesignSpaceError);
    expect(() => createDesignSpaceEncoding([{ name: 'a', type: 'categorical', choices: [] }])).toThrow(InvalidDesignSpaceError);
    expect(() => createDesignSpaceEncoding([{ name: 'a', type: 'integer', min: 0, max: 1 }, { name: 'a', type: 'integer', min: 0, max: 1 }])).toThrow(InvalidDesignSpaceError);
  });

  it('appends min-max scaled features after the parameters', () => {
    const scaling = fitFeatureScaling(['logP'], [{ logP: -1 }, { logP: 3 }]);
    const withFeatures = createDesignSpaceEncoding([{ name: 'a', type: 'continuous', min: 0, max: 1 }], scaling);
    expect(withFeatures.dimension).toBe(2);
    expect(withFeatures.encode({ a: 0.25 }, { logP: 0 })).toEqual([0.25, 0.25]);
    expect(() => withFeatures.encode({ a: 0.25 })).toThrow(InvalidParamValuesError);
  });
});

describe('encodings whose ranges overflow (issue #15, finding 1)', () => {
  it('scales features spanning ±1.7e308 into [0, 1] without NaN, and ordinary ranges exactly as before', () => {
    const scaling = fitFeatureScaling(['f'], [{ f: -1.7e308 }, { f: 1.7e308 }, { f: 0 }]);
    const encoding = createDesignSpaceEncoding([{ name: 'x', type: 'continuous', min: 0, max: 1 }], scaling);
    expect(encoding.encode({ x: 0.5 }, { f: -1.7e308 })[1]).toBe(0);
    expect(encoding.encode({ x: 0.5 }, { f: 1.7e308 })[1]).toBe(1);
    expect(encoding.encode({ x: 0.5 }, { f: 0 })[1]).toBeCloseTo(0.5, 12);
    const plain = createDesignSpaceEncoding([{ name: 'x', type: 'continuous', min: 0, max: 1 }], fitFeatureScaling(['f'], [{ f: 2 }, { f: 7 }]));
    expect(plain.encode({ x: 0.5 }, { f: 3 })[1]).toBe((3 - 2) / (7 - 2));
  });

  it('encodes and decodes a parameter whose bounds are ±1e308', () => {
    const encoding = createDesignSpaceEncoding([{ name: 'x', type: 'continuous', min: -1e308, max: 1e308 }]);
    expect(encoding.encode({ x: 0 })[0]).toBeCloseTo(0.5, 12);
    expect(encoding.decode([0.75]).x).toBeCloseTo(5e307, -295);
    expect(Number.isFinite(Number(encoding.decode([0.3]).x))).toBe(true);
    expect(encoding.key({ x: 1e307 })).not.toBe(encoding.key({ x: -1e307 }));
  });
});
