/** Shapes shared by the demo labs: a campaign definition the lead seeds into the database as-is. */
import type { Objective, OutcomeConstraint, Parameter } from '../../acquisition/types.js';

/** A demo campaign in the DESIGN.md shape: design space, objectives, and the outcomes a measurement reports. */
export interface DemoCampaignDefinition {
  name: string;
  description: string;
  parameters: Parameter[];
  objectives: Objective[];
  outcomeConstraints?: OutcomeConstraint[];
  /** Every outcome name a measurement of this lab returns (objectives plus extra observables). */
  outcomes: string[];
}

/** Error for simulator inputs outside the lab's design space or of the wrong type. */
export class InvalidDemoInputError extends Error {
  override name = 'InvalidDemoInputError';
}
