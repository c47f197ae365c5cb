/**
 * Which campaign definitions each simulated lab can measure: the check behind settings.simulator (a campaign is
 * marked explicitly, and the mark is refused where the lab could not produce its outcomes). Pure: no I/O.
 */
import type { Objective, OutcomeConstraint, Parameter } from '../../acquisition/types.js';
import { modeledOutcomes } from '../domain/design-space.js';
import type { ImageMeasurement, SimulatorName } from '../domain/types.js';
import { MEMBRANE_IMAGE_CLASSES } from './membrane-images-lab.js';
import { membraneCampaign, MEMBRANE_PARAMETERS } from './membrane-lab.js';

/** The parts of a campaign definition a simulated lab depends on. */
export interface SimulatedDefinition {
  parameters: readonly Parameter[];
  objectives: readonly Objective[];
  constraints: readonly OutcomeConstraint[];
  imageMeasurements: readonly ImageMeasurement[];
}

/** What the Mg-corrosion table measures. */
const CORROSION_OUTCOMES = ['IE'];

/** Whether two design spaces have the same parameters (name, type, range, log scale), in any order. */
function sameSpace(a: readonly Parameter[], b: readonly Parameter[]): boolean {
  const key = (p: Parameter) => JSON.stringify([p.name, p.type, p.min ?? null, p.max ?? null, p.log ?? false]);
  return a.length === b.length && a.map(key).sort().join() === b.map(key).sort().join();
}

/** Outcomes of the definition that are not among `measured`, as a phrase ("" when all are). */
function unmeasured(def: SimulatedDefinition, measured: readonly string[]): string {
  const missing = modeledOutcomes(def).filter((name) => !measured.includes(name));
  return missing.length === 0 ? '' : missing.map((n) => `"${n}"`).join(', ');
}

const MEMBRANE_SPACE = MEMBRANE_PARAMETERS.map((p) => `${p.name} (${p.min}–${p.max})`).join(', ');

/**
 * Why the simulated lab `name` cannot measure this definition, or undefined when it can:
 * - membrane: the membrane lab's design space (MEMBRANE_PARAMETERS), at least one outcome, each one the lab reports, no image measurements;
 * - membrane-images: the same design space, outcomes read off images only (image measurements of pore or solid);
 * - corrosion: one categorical parameter "molecule" and IE as the only outcome.
 */
export function simulatorMismatch(name: SimulatorName, def: SimulatedDefinition): string | undefined {
  if (name === 'membrane' || name === 'membrane-images') {
    if (!sameSpace(def.parameters, MEMBRANE_PARAMETERS)) return `its design space must be the membrane lab's: ${MEMBRANE_SPACE}`;
    if (name === 'membrane') {
      if (def.imageMeasurements.length > 0) return 'it reads outcomes off images; mark it "membrane-images" instead';
      if (modeledOutcomes(def).length === 0) return 'it has no objective or constraint for the lab to measure';
      const missing = unmeasured(def, membraneCampaign.outcomes);
      return missing ? `the lab does not measure ${missing} (it measures ${membraneCampaign.outcomes.join(', ')})` : undefined;
    }
    if (def.imageMeasurements.length === 0) return 'the lab only takes SEM images: give the campaign image measurements (pore diameter, porosity, order)';
    const foreign = def.imageMeasurements.find((m) => m.class !== undefined && !(MEMBRANE_IMAGE_CLASSES as readonly string[]).includes(m.class));
    if (foreign) return `image measurement "${foreign.name}" is about class "${foreign.class}", but the images show only ${MEMBRANE_IMAGE_CLASSES.join(' and ')}`;
    const missing = unmeasured(def, def.imageMeasurements.map((m) => m.name));
    return missing ? `outcomes ${missing} are not read off the images, and the lab measures nothing else` : undefined;
  }
  const [molecule] = def.parameters;
  if (def.parameters.length !== 1 || molecule.name !== 'molecule' || molecule.type !== 'categorical') return 'the Mg-corrosion table needs exactly one categorical parameter named "molecule"';
  if (def.imageMeasurements.length > 0) return 'the Mg-corrosion table has no images';
  if (modeledOutcomes(def).length === 0) return 'it has no objective for the table to measure';
  const missing = unmeasured(def, CORROSION_OUTCOMES);
  return missing ? `the table records IE only, not ${missing}` : undefined;
}
