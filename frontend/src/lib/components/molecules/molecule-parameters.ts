// Which parameters hold molecules (SMILES): a categorical parameter whose value is the sample's own SMILES, as in
// a molecule pool imported with a `smiles` column (the Mg corrosion demo's `molecule`). Only the data says so, not
// a guess from how the text looks.
import type { Parameter, Sample } from '../../api/types.js';

/** Names of the categorical parameters whose value equals the SMILES of every sample that has one and a value. */
export function moleculeParameterNames(parameters: readonly Parameter[], samples: readonly Pick<Sample, 'params' | 'smiles'>[]): Set<string> {
  const withSmiles = samples.filter((sample) => typeof sample.smiles === 'string' && sample.smiles !== '');
  return new Set(
    parameters
      .filter((parameter) => parameter.type === 'categorical')
      .filter((parameter) => {
        const valued = withSmiles.filter((sample) => sample.params[parameter.name] !== undefined);
        return valued.length > 0 && valued.every((sample) => sample.params[parameter.name] === sample.smiles);
      })
      .map((parameter) => parameter.name),
  );
}
