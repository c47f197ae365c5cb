import { describe, expect, it } from 'vitest';
import { InvalidError } from '../../../backend/domain/errors.js';
import { addMolecularDescriptors } from '../../../backend/services/molecules.js';

describe('addMolecularDescriptors', () => {
  it('adds RDKit descriptors to items with SMILES and leaves the others as they are', async () => {
    const plain = { params: { x: 1 }, features: { mw: 5 } };
    const [ethanol, untouched] = await addMolecularDescriptors([{ params: { x: 0 }, smiles: 'CCO' }, plain]);
    expect(ethanol.features?.NumHeavyAtoms).toBe(3);
    expect(ethanol.features?.NumHBD).toBe(1);
    expect(untouched).toBe(plain);
  });

  it('keeps features given with a SMILES item beside the descriptors, and lets them win a name clash', async () => {
    const [item] = await addMolecularDescriptors([{ params: { x: 0 }, smiles: 'c1ccccc1', features: { otherAlloyIE: 42, tpsa: 99 } }]);
    expect(item.features?.otherAlloyIE).toBe(42);
    expect(item.features?.tpsa).toBe(99);
    expect(item.features?.NumAromaticRings).toBe(1);
  });

  it('refuses the whole request when a SMILES does not parse, naming the row', async () => {
    const items = [{ params: {}, smiles: 'CCO' }, { params: {}, smiles: 'C1CC(', features: { a: 1 } }];
    await expect(addMolecularDescriptors(items, [2, 3])).rejects.toThrow(InvalidError);
    await expect(addMolecularDescriptors(items, [2, 3])).rejects.toMatchObject({ details: [{ row: 3 }] });
  });
});

describe('addMolecularDescriptors on hostile input (issue 15)', () => {
  it('refuses a molecule too large for RDKit as a bad row (422), and RDKit still works afterwards', async () => {
    const items = [{ params: {}, smiles: 'CCO' }, { params: {}, smiles: 'C'.repeat(1200) }];
    await expect(addMolecularDescriptors(items, [2, 3])).rejects.toMatchObject({ code: 'invalid_rows', details: [{ row: 3, issues: [{ parameter: 'smiles', message: expect.stringContaining('cannot process') }] }] });
    // Molecules RDKit has not seen before (not in the featurizer's cache) still featurize: the trapped module was replaced.
    const fresh = await addMolecularDescriptors([{ params: {}, smiles: 'CCCCN' }, { params: {}, smiles: 'OC(=O)c1ccccc1' }]);
    expect(fresh.map((m) => m.features?.NumHeavyAtoms)).toEqual([5, 9]);
  });

  it('lets other work run while a large import is featurized', async () => {
    const items = Array.from({ length: 400 }, (_, i) => ({ params: {}, smiles: `${'C'.repeat(1 + (i % 40))}O${'N'.repeat(1 + Math.floor(i / 40))}` }));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const out = await addMolecularDescriptors(items);
    clearInterval(timer);
    expect(out).toHaveLength(400);
    expect(ticks).toBeGreaterThan(0);
  });
});
