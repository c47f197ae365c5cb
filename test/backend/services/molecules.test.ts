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
