/** Shapes shared by the acquisition engine and the service (see DESIGN.md, "Domain model"). */

/** One dimension of a campaign's design space. */
export interface Parameter {
  name: string;
  type: 'continuous' | 'integer' | 'categorical';
  /** Lower bound (continuous and integer). */
  min?: number;
  /** Upper bound (continuous and integer). */
  max?: number;
  /** Encode on a log scale (only for positive ranges). */
  log?: boolean;
  /** The allowed values of a categorical parameter. */
  choices?: string[];
  unit?: string;
  /**
   * The model sees this parameter only through each sample's numeric features (e.g. the descriptors of a molecule),
   * never as its own column: for identifier-like parameters of pool campaigns, such as a SMILES string.
   */
  featuresOnly?: boolean;
}

/** What the campaign wants of one measured outcome. */
export interface Objective {
  name: string;
  goal: 'maximize' | 'minimize' | 'target';
  /** Desired value when goal is 'target'. */
  target?: number;
  /** Half-width of the acceptable band around the target. */
  tolerance?: number;
  /** Relative importance in scalarized multi-objective strategies (default 1). */
  weight?: number;
  unit?: string;
  /**
   * The outcome's physical range, where it has one (a score in [0, 1], a yield in [0, 100] %, a positive quantity):
   * either bound optional, lowerBound < upperBound. The engine then models the outcome on a logit (two bounds) or log
   * (one bound) scale and its predictions stay inside the range (space/outcome-warp.ts); measured values must lie in it.
   */
  lowerBound?: number;
  /** See lowerBound. */
  upperBound?: number;
}

/** A bound that a measured outcome must satisfy to be feasible. */
export interface OutcomeConstraint {
  name: string;
  op: '<=' | '>=';
  value: number;
  /** The constrained outcome's physical range, as Objective.lowerBound (the same range where it is also an objective). */
  lowerBound?: number;
  /** See lowerBound. */
  upperBound?: number;
}

/** Values of the design-space parameters of one sample, by parameter name. */
export type ParamValues = Record<string, number | string>;

/** Measured outcomes of one sample, by objective or constraint name. */
export type Outcomes = Record<string, number>;
