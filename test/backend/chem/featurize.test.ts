import { beforeAll, describe, expect, it } from 'vitest';
import {
  DESCRIPTOR_NAMES,
  InvalidSmilesError,
  MoleculeFeaturizer,
  createMoleculeFeaturizer,
  descriptorVector,
  featurizeMolecule,
} from '../../../backend/chem/featurize.js';
import { loadRDKit, type RDKitModule } from '../../../backend/chem/rdkit.js';
import { loadMgCorrosionRecords } from '../../../backend/demo/mg-corrosion.js';

let rdkit: RDKitModule;
let featurizer: MoleculeFeaturizer;

beforeAll(async () => {
  rdkit = await loadRDKit(); // once per file: the wasm start-up takes a moment
  featurizer = new MoleculeFeaturizer(rdkit);
});

describe('RDKit descriptors of known molecules (values as published by RDKit/PubChem)', () => {
  it('benzene: exact MW 78.047, 6 heavy atoms, 1 aromatic ring, no polar surface', () => {
    const { descriptors } = featurizer.featurize('c1ccccc1');
    expect(descriptors.exactmw).toBeCloseTo(78.047, 3);
    expect(descriptors.NumHeavyAtoms).toBe(6);
    expect(descriptors.NumAromaticRings).toBe(1);
    expect(descriptors.tpsa).toBe(0);
    expect(descriptors.FractionCSP3).toBe(0);
  });

  it('ethanol: MW 46.07, one H-bond donor, TPSA 20.23', () => {
    const { descriptors } = featurizer.featurize('CCO');
    expect(descriptors.amw).toBeCloseTo(46.07, 2);
    expect(descriptors.NumHBD).toBe(1);
    expect(descriptors.tpsa).toBeCloseTo(20.23, 2);
    expect(descriptors.NumRings).toBe(0);
  });

  it('aspirin: TPSA 63.6, MW 180.16, 13 heavy atoms, logP 1.31', () => {
    const { descriptors } = featurizer.featurize('CC(=O)Oc1ccccc1C(=O)O');
    expect(descriptors.tpsa).toBeCloseTo(63.6, 1);
    expect(descriptors.amw).toBeCloseTo(180.16, 2);
    expect(descriptors.NumHeavyAtoms).toBe(13);
    expect(descriptors.CrippenClogP).toBeCloseTo(1.31, 2);
  });

  it('returns every chosen descriptor, in DESCRIPTOR_NAMES order as a vector', () => {
    const features = featurizer.featurize('c1ccc2n[nH]nc2c1');
    expect(Object.keys(features.descriptors)).toEqual([...DESCRIPTOR_NAMES]);
    expect(descriptorVector(features)).toHaveLength(DESCRIPTOR_NAMES.length);
    expect(descriptorVector(features, ['NumRings', 'NumHeterocycles'])).toEqual([2, 1]);
  });
});

describe('the Mg corrosion molecules', () => {
  it('all 180 featurize, salts and stereo included, with finite descriptors', () => {
    const smiles = [...new Set(loadMgCorrosionRecords().map((r) => r.smiles))];
    expect(smiles).toHaveLength(180);
    const f = new MoleculeFeaturizer(rdkit);
    for (const features of f.featurizeMany(smiles)) {
      expect(descriptorVector(features).every(Number.isFinite)).toBe(true);
    }
    expect(f.cacheSize).toBe(180);
  });
});

describe('Morgan fingerprints', () => {
  it('are 2048 0/1 bits by default and deterministic', () => {
    const a = featurizeMolecule(rdkit, 'CC(=O)Oc1ccccc1C(=O)O');
    const b = featurizeMolecule(rdkit, 'CC(=O)Oc1ccccc1C(=O)O');
    expect(a.fingerprint).toHaveLength(2048);
    expect(a.fingerprint.every((bit) => bit === 0 || bit === 1)).toBe(true);
    expect(b.fingerprint).toEqual(a.fingerprint);
    const onBits = a.fingerprint.reduce((s, bit) => s + bit, 0);
    expect(onBits).toBeGreaterThan(10);
    expect(onBits).toBeLessThan(60);
  });

  it('differ between molecules and follow the configured size', async () => {
    expect(featurizeMolecule(rdkit, 'CCO').fingerprint).not.toEqual(featurizeMolecule(rdkit, 'CCN').fingerprint);
    const small = await createMoleculeFeaturizer({ nBits: 512, radius: 3 });
    expect(small.featurize('CCO').fingerprint).toHaveLength(512);
  });
});

describe('cache and errors', () => {
  it('caches per canonical SMILES: two spellings give the same object', () => {
    const f = new MoleculeFeaturizer(rdkit);
    const a = f.featurize('OCC');
    expect(a.canonicalSmiles).toBe('CCO');
    expect(f.featurize('CCO')).toBe(a);
    expect(f.featurize('C(O)C')).toBe(a);
    expect(f.cacheSize).toBe(1);
  });

  it('keeps at most cacheSize molecules, dropping the least recently used', () => {
    const f = new MoleculeFeaturizer(rdkit, { cacheSize: 2 });
    const ethanol = f.featurize('CCO');
    f.featurize('CCN');
    f.featurize('CCO'); // ethanol is now the most recently used
    f.featurize('CCC'); // evicts CCN
    expect(f.cacheSize).toBe(2);
    expect(f.featurize('CCO')).toBe(ethanol);
  });

  it('throws InvalidSmilesError naming the offending string', () => {
    for (const bad of ['C1CC(', 'not a smiles', '', 'c1cccc1']) {
      expect(() => featurizer.featurize(bad)).toThrow(InvalidSmilesError);
    }
    try {
      featurizer.featurize('C1CC(');
      expect.unreachable();
    } catch (error) {
      expect((error as InvalidSmilesError).smiles).toBe('C1CC(');
      expect((error as Error).message).toContain('C1CC(');
    }
  });

  it('deletes every RDKit molecule it creates, valid or not', () => {
    let created = 0;
    let deleted = 0;
    const counting = Object.create(rdkit) as RDKitModule;
    counting.get_mol = ((input: string) => {
      const mol = rdkit.get_mol(input);
      if (mol === null) return null;
      created++;
      const original = mol.delete.bind(mol);
      mol.delete = () => {
        deleted++;
        original();
      };
      return mol;
    }) as RDKitModule['get_mol'];
    const f = new MoleculeFeaturizer(counting);
    f.featurizeMany(['CCO', 'OCC', 'c1ccccc1']);
    expect(() => f.featurize('C1CC(')).toThrow(InvalidSmilesError);
    expect(created).toBeGreaterThan(0);
    expect(deleted).toBe(created);
  });
});
