/** Descriptors for samples that carry a SMILES string, from one shared RDKit featurizer (cached per molecule). */
import { createMoleculeFeaturizer, InvalidSmilesError, type MoleculeFeaturizer } from '../chem/featurize.js';
import { discardSharedRDKit } from '../chem/rdkit.js';
import { InvalidError } from '../domain/errors.js';
import type { SampleInput, RowIssue } from './samples.js';

let featurizer: Promise<MoleculeFeaturizer> | undefined;

/** The process-wide featurizer; RDKit's WebAssembly module loads on first use. */
function sharedFeaturizer(): Promise<MoleculeFeaturizer> {
  featurizer ??= createMoleculeFeaturizer({ cacheSize: 50_000 });
  return featurizer;
}

/** A featurizer over a fresh RDKit module, replacing one whose module trapped (its memory is corrupt from then on). */
function replaceSharedFeaturizer(): Promise<MoleculeFeaturizer> {
  discardSharedRDKit();
  featurizer = undefined;
  return sharedFeaturizer();
}

/** Featurize for about this long, then let the request thread serve others: RDKit takes 2–3 ms per new molecule. */
const SLICE_MS = 20;

/**
 * Adds RDKit descriptors to the features of items that have SMILES; invalid SMILES refuse the request. Features given
 * with the item (literature values, say) are kept, and win over a descriptor of the same name. A large import yields
 * to the event loop between slices, so 20,000 new molecules (about a minute) never hold up another campaign's request.
 */
export async function addMolecularDescriptors(items: SampleInput[], rowNumbers?: number[]): Promise<SampleInput[]> {
  if (!items.some((it) => it.smiles)) return items;
  let rdkit = await sharedFeaturizer();
  const problems: RowIssue[] = [];
  const out: SampleInput[] = [];
  let sliceStart = Date.now();
  for (const [i, item] of items.entries()) {
    if (Date.now() - sliceStart > SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = Date.now();
    }
    if (!item.smiles) {
      out.push(item);
      continue;
    }
    try {
      out.push({ ...item, features: { ...rdkit.featurize(item.smiles).descriptors, ...item.features } });
    } catch (err) {
      // RDKit's WebAssembly build runs out of bounds on very large molecules (a chain of ~800 atoms): the molecule's
      // problem, not the service's; the trapped module is replaced, or every later molecule would fail too.
      const trapped = isWasmRuntimeError(err);
      const reason = err instanceof InvalidSmilesError ? 'RDKit cannot parse' : trapped ? 'RDKit cannot process (too large?)' : undefined;
      if (reason === undefined) throw err;
      if (trapped) rdkit = await replaceSharedFeaturizer();
      problems.push({ row: rowNumbers?.[i] ?? i, issues: [{ parameter: 'smiles', message: `${reason} ${JSON.stringify(item.smiles.length > 80 ? `${item.smiles.slice(0, 80)}…` : item.smiles)}` }] });
      out.push(item);
    }
  }
  if (problems.length > 0) throw new InvalidError('invalid_rows', `${problems.length} SMILES could not be featurized; nothing was imported`, problems);
  return out;
}

/**
 * A failure inside RDKit's WebAssembly module: a trap (WebAssembly.RuntimeError) or a C++ exception surfacing as a
 * WebAssembly.Exception, which is not an Error at all. Either can leave the module unusable, so it is replaced.
 */
function isWasmRuntimeError(err: unknown): boolean {
  return err instanceof Error ? err.name === 'RuntimeError' : err !== null && err !== undefined;
}
