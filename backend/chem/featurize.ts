/**
 * Molecule featurization from SMILES with RDKit MinimalLib: Morgan (ECFP-like) bit fingerprints and a set of
 * physico-chemical descriptors, cached per canonical SMILES in a size-capped in-memory LRU map.
 */
import { loadRDKit, type RDKitModule } from './rdkit.js';

/**
 * The descriptors kept from RDKit's `get_descriptors()` (names as RDKit spells them): size, lipophilicity (Wildman–
 * Crippen logP and molar refractivity), polarity (TPSA, Ertl 2000), hydrogen bonding, flexibility, ring systems,
 * saturation, surface area (Labute ASA), and two topological shape indices (Kier–Hall).
 */
export const DESCRIPTOR_NAMES = [
  'exactmw',
  'amw',
  'CrippenClogP',
  'CrippenMR',
  'tpsa',
  'labuteASA',
  'NumHBD',
  'NumHBA',
  'NumRotatableBonds',
  'NumHeavyAtoms',
  'NumHeteroatoms',
  'NumRings',
  'NumAromaticRings',
  'NumHeterocycles',
  'FractionCSP3',
  'hallKierAlpha',
  'chi1v',
] as const;

export type DescriptorName = (typeof DESCRIPTOR_NAMES)[number];
export type MolecularDescriptors = Record<DescriptorName, number>;

/** Features of one molecule. */
export interface MoleculeFeatures {
  /** RDKit's canonical SMILES (the cache key). */
  canonicalSmiles: string;
  descriptors: MolecularDescriptors;
  /** Morgan fingerprint, one byte per bit (0 or 1), length nBits. */
  fingerprint: Uint8Array;
}

/** Morgan fingerprint settings: radius 2 and 2048 bits correspond to ECFP4 (Rogers & Hahn, 2010). */
export interface FingerprintOptions {
  radius: number;
  nBits: number;
}

export interface FeaturizerOptions extends Partial<FingerprintOptions> {
  /** Most molecules kept in the cache; the least recently used one is dropped first. */
  cacheSize?: number;
}

/** A SMILES string that RDKit cannot parse into a molecule. */
export class InvalidSmilesError extends Error {
  override name = 'InvalidSmilesError';
  constructor(readonly smiles: string) {
    super(`invalid SMILES: ${JSON.stringify(smiles)}`);
  }
}

/** RDKit parsed the molecule but did not return a descriptor or fingerprint in the expected form. */
export class FeaturizationError extends Error {
  override name = 'FeaturizationError';
}

/** Picks DESCRIPTOR_NAMES out of RDKit's descriptor JSON, checking that each one is a finite number. */
function pickDescriptors(json: string, smiles: string): MolecularDescriptors {
  const all = JSON.parse(json) as Record<string, unknown>;
  const picked = {} as MolecularDescriptors;
  for (const name of DESCRIPTOR_NAMES) {
    const value = all[name];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new FeaturizationError(`RDKit gave no finite ${name} for ${smiles}`);
    }
    picked[name] = value;
  }
  return picked;
}

/** Unpacks RDKit's "0101…" fingerprint string into one byte per bit. */
function bitsFromString(bitString: string, nBits: number, smiles: string): Uint8Array {
  if (bitString.length !== nBits) {
    throw new FeaturizationError(`RDKit fingerprint of ${smiles} has ${bitString.length} bits, expected ${nBits}`);
  }
  const bits = new Uint8Array(nBits);
  for (let i = 0; i < nBits; i++) bits[i] = bitString.charCodeAt(i) === 49 ? 1 : 0; // 49 = '1'
  return bits;
}

type RDKitMol = NonNullable<ReturnType<RDKitModule['get_mol']>>;

/** Parses SMILES, runs `use` on the molecule and always frees it (RDKit molecules live on the wasm heap). */
function withMolecule<T>(rdkit: RDKitModule, smiles: string, use: (mol: RDKitMol) => T): T {
  // RDKit parses an empty string as a molecule without atoms; that is never a meaningful input here.
  const mol = smiles.trim() === '' ? null : rdkit.get_mol(smiles);
  if (mol === null) throw new InvalidSmilesError(smiles);
  try {
    if (!mol.is_valid()) throw new InvalidSmilesError(smiles);
    return use(mol);
  } finally {
    mol.delete();
  }
}

/** Descriptors and fingerprint of a parsed molecule whose canonical SMILES is `canonicalSmiles`. */
function featuresOf(mol: RDKitMol, canonicalSmiles: string, fingerprint: FingerprintOptions): MoleculeFeatures {
  const bitString = mol.get_morgan_fp(JSON.stringify({ radius: fingerprint.radius, nBits: fingerprint.nBits }));
  return {
    canonicalSmiles,
    descriptors: pickDescriptors(mol.get_descriptors(), canonicalSmiles),
    fingerprint: bitsFromString(bitString, fingerprint.nBits, canonicalSmiles),
  };
}

/** Canonical SMILES, descriptors and Morgan fingerprint of one molecule (uncached). */
export function featurizeMolecule(
  rdkit: RDKitModule,
  smiles: string,
  fingerprint: FingerprintOptions = { radius: 2, nBits: 2048 },
): MoleculeFeatures {
  return withMolecule(rdkit, smiles, (mol) => featuresOf(mol, mol.get_smiles(), fingerprint));
}

/** RDKit's canonical SMILES of a molecule. */
export function canonicalizeSmiles(rdkit: RDKitModule, smiles: string): string {
  return withMolecule(rdkit, smiles, (mol) => mol.get_smiles());
}

/** Deletes the oldest entries of an insertion-ordered Map until it holds at most `cap`. */
function trimToCap<K, V>(map: Map<K, V>, cap: number): void {
  while (map.size > cap) map.delete(map.keys().next().value as K);
}

/** Featurizes SMILES with fixed fingerprint settings, caching results per canonical SMILES (LRU, size-capped). */
export class MoleculeFeaturizer {
  readonly fingerprint: FingerprintOptions;
  readonly cacheCapacity: number;
  private readonly byCanonical = new Map<string, MoleculeFeatures>();
  private readonly canonicalOf = new Map<string, string>();

  constructor(private readonly rdkit: RDKitModule, options: FeaturizerOptions = {}) {
    this.fingerprint = { radius: options.radius ?? 2, nBits: options.nBits ?? 2048 };
    this.cacheCapacity = options.cacheSize ?? 10_000;
    if (!(Number.isInteger(this.cacheCapacity) && this.cacheCapacity >= 1)) {
      throw new RangeError(`cacheSize must be a positive integer, got ${options.cacheSize}`);
    }
  }

  /** Number of molecules currently cached. */
  get cacheSize(): number {
    return this.byCanonical.size;
  }

  /** Features of one molecule; the same object is returned for every spelling of a cached molecule. */
  featurize(smiles: string): MoleculeFeatures {
    const knownCanonical = this.canonicalOf.get(smiles);
    const cached = knownCanonical === undefined ? undefined : this.byCanonical.get(knownCanonical);
    if (cached) return this.touch(smiles, cached);
    const features = withMolecule(this.rdkit, smiles, (mol) => {
      const canonical = mol.get_smiles();
      return this.byCanonical.get(canonical) ?? featuresOf(mol, canonical, this.fingerprint);
    });
    return this.touch(smiles, features);
  }

  /** Features of many molecules, in order; throws InvalidSmilesError at the first invalid one. */
  featurizeMany(smiles: readonly string[]): MoleculeFeatures[] {
    return smiles.map((s) => this.featurize(s));
  }

  /** Marks a molecule most recently used under its input spelling, and trims both maps to the cap. */
  private touch(input: string, features: MoleculeFeatures): MoleculeFeatures {
    this.byCanonical.delete(features.canonicalSmiles);
    this.byCanonical.set(features.canonicalSmiles, features);
    this.canonicalOf.delete(input);
    this.canonicalOf.set(input, features.canonicalSmiles);
    trimToCap(this.byCanonical, this.cacheCapacity);
    trimToCap(this.canonicalOf, this.cacheCapacity);
    return features;
  }
}

/** A featurizer on the shared, lazily loaded RDKit module. */
export async function createMoleculeFeaturizer(options: FeaturizerOptions = {}): Promise<MoleculeFeaturizer> {
  return new MoleculeFeaturizer(await loadRDKit(), options);
}

/** The descriptors of one molecule as a vector, in the order of `names`. */
export function descriptorVector(features: MoleculeFeatures, names: readonly DescriptorName[] = DESCRIPTOR_NAMES): number[] {
  return names.map((name) => features.descriptors[name]);
}
