import { describe, expect, it } from 'vitest';
import { loadRDKit } from '../../../backend/chem/rdkit.js';

describe('loadRDKit', () => {
  it('loads the WebAssembly module once and shares it', async () => {
    const [a, b] = await Promise.all([loadRDKit(), loadRDKit()]);
    expect(a).toBe(b);
    expect(await loadRDKit()).toBe(a);
    expect(a.version()).toMatch(/^\d{4}\.\d{2}\.\d+/);
  });
});
