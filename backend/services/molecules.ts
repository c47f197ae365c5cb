/** Descriptors for samples that carry a SMILES string, from one shared RDKit featurizer (cached per molecule). */
import { createMoleculeFeaturizer, InvalidSmilesError, type MoleculeFeaturizer } from '../chem/featurize.js';
import { InvalidError } from '../domain/errors.js';
import type { SampleInput, RowIssue } from './samples.js';

let featurizer: Promise<MoleculeFeaturizer> | undefined;

/** The process-wide featurizer; RDKit's WebAssembly module loads on first use. */
function sharedFeaturizer(): Promise<MoleculeFeaturizer> {
  featurizer ??= createMoleculeFeaturizer({ cacheSize: 50_000 });
  return featurizer;
}

/**
 * Adds RDKit descriptors to the features of items that have SMILES; invalid SMILES refuse the request. Features given
 * with the item (literature values, say) are kept, and win over a descriptor of the same name.
 */
export async function addMolecularDescriptors(items: SampleInput[], rowNumbers?: number[]): Promise<SampleInput[]> {
  if (!items.some((it) => it.smiles)) return items;
  const rdkit = await sharedFeaturizer();
  const problems: RowIssue[] = [];
  const out = items.map((item, i) => {
    if (!item.smiles) return item;
    try {
      return { ...item, features: { ...rdkit.featurize(item.smiles).descriptors, ...item.features } };
    } catch (err) {
      if (!(err instanceof InvalidSmilesError)) throw err;
      problems.push({ row: rowNumbers?.[i] ?? i, issues: [{ parameter: 'smiles', message: `RDKit cannot parse ${JSON.stringify(item.smiles)}` }] });
      return item;
    }
  });
  if (problems.length > 0) throw new InvalidError('invalid_rows', `${problems.length} SMILES could not be parsed; nothing was imported`, problems);
  return out;
}
