import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../acquisition/index.js';
import { mgCorrosion } from '../../../backend/demo/index.js';
import { MG_MODEL_FEATURES } from '../../../backend/services/demo-campaigns.js';
import { corrosionSimulation } from '../../../backend/simulate/labs.js';

describe('corrosion lab', () => {
  it('imports every ZE41 molecule with the model features and measures its recorded mean IE', () => {
    const lab = corrosionSimulation(MG_MODEL_FEATURES);
    const pool = mgCorrosion.loadMgCorrosionPool('ZE41');
    expect(lab.candidates).toHaveLength(105);
    // Marked with its simulated lab, so the board can measure the campaign's molecules.
    expect(lab.campaign.settings).toEqual({ modelFeatures: ['otherAlloyIE', 'otherAlloySpread'], simulator: 'corrosion' });
    for (const [i, c] of (lab.candidates ?? []).entries()) {
      expect(Object.keys(c.features as Record<string, number>)).toEqual(expect.arrayContaining(MG_MODEL_FEATURES));
      expect(lab.measure(c.params as Record<string, string>, createRandom(1))).toEqual({ IE: pool[i].ie });
    }
    expect(() => lab.score({ molecule: 'CCO' })).toThrow(/not in the pool/);
  });
});
