// Form drafts of a campaign definition (every field a string, as typed) and their conversion to the API shape.
import type { CampaignInput, Goal, Objective, OutcomeConstraint, Parameter, ParameterType } from '../api/types.js';
import { parseNumber } from './validate.js';
import { classColor } from '../canvas/class-colors.js';
import { imageMeasurementFromDraft, type ImageMeasurementDraft } from './image-measurements.js';

export interface ParameterDraft {
  name: string;
  type: ParameterType;
  min: string;
  max: string;
  log: boolean;
  choices: string;
  unit: string;
}

export interface ObjectiveDraft {
  name: string;
  goal: Goal;
  target: string;
  tolerance: string;
  unit: string;
  /** Physical range, optional: the lowest and highest value the outcome can take (e.g. 0 and 1 for a score). */
  lowerBound: string;
  upperBound: string;
}

export interface ConstraintDraft {
  name: string;
  op: '<=' | '>=';
  value: string;
}

export interface CampaignDraft {
  name: string;
  description: string;
  labelClasses: string;
  batchSize: string;
  parameters: ParameterDraft[];
  objectives: ObjectiveDraft[];
  constraints: ConstraintDraft[];
  imageMeasurements: ImageMeasurementDraft[];
}

/** An empty continuous parameter row. */
export function blankParameter(): ParameterDraft {
  return { name: '', type: 'continuous', min: '', max: '', log: false, choices: '', unit: '' };
}

/** An empty maximize objective row. */
export function blankObjective(): ObjectiveDraft {
  return { name: '', goal: 'maximize', target: '', tolerance: '', unit: '', lowerBound: '', upperBound: '' };
}

/** An empty ≤ constraint row. */
export function blankConstraint(): ConstraintDraft {
  return { name: '', op: '<=', value: '' };
}

/** A new campaign form with one parameter and one objective row. */
export function blankCampaign(): CampaignDraft {
  return { name: '', description: '', labelClasses: '', batchSize: '4', parameters: [blankParameter()], objectives: [blankObjective()], constraints: [], imageMeasurements: [] };
}

/** Splits "a, b ,c" into ["a", "b", "c"], dropping empty entries. */
export function splitList(text: string): string[] {
  return text.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

/** A number field: undefined when empty or not a number (the validator then reports it). */
function optionalNumber(text: string): number | undefined {
  return parseNumber(text) ?? undefined;
}

/** Converts a parameter draft; fields that do not apply to its type are left out. */
export function parameterFromDraft(draft: ParameterDraft): Parameter {
  const parameter: Parameter = { name: draft.name.trim(), type: draft.type };
  if (draft.type === 'categorical') parameter.choices = splitList(draft.choices);
  else {
    parameter.min = optionalNumber(draft.min) ?? Number.NaN;
    parameter.max = optionalNumber(draft.max) ?? Number.NaN;
    if (draft.log) parameter.log = true;
  }
  if (draft.unit.trim() !== '') parameter.unit = draft.unit.trim();
  return parameter;
}

/** Converts an objective draft; target and tolerance only for target objectives, each bound only when typed. */
export function objectiveFromDraft(draft: ObjectiveDraft): Objective {
  const objective: Objective = { name: draft.name.trim(), goal: draft.goal };
  if (draft.goal === 'target') {
    objective.target = optionalNumber(draft.target) ?? Number.NaN;
    const tolerance = optionalNumber(draft.tolerance);
    if (tolerance !== undefined) objective.tolerance = tolerance;
  }
  if (draft.unit.trim() !== '') objective.unit = draft.unit.trim();
  // An empty field leaves that side open; text that is not a number becomes NaN, which the validator reports.
  if (draft.lowerBound.trim() !== '') objective.lowerBound = optionalNumber(draft.lowerBound) ?? Number.NaN;
  if (draft.upperBound.trim() !== '') objective.upperBound = optionalNumber(draft.upperBound) ?? Number.NaN;
  return objective;
}

/** Converts a constraint draft. */
export function constraintFromDraft(draft: ConstraintDraft): OutcomeConstraint {
  return { name: draft.name.trim(), op: draft.op, value: optionalNumber(draft.value) ?? Number.NaN };
}

/** The API body for POST /api/campaigns. */
export function campaignFromDraft(draft: CampaignDraft): CampaignInput {
  const input: CampaignInput = {
    name: draft.name.trim(),
    parameters: draft.parameters.map(parameterFromDraft),
    objectives: draft.objectives.map(objectiveFromDraft),
    constraints: draft.constraints.map(constraintFromDraft),
  };
  if (draft.description.trim() !== '') input.description = draft.description.trim();
  if (draft.imageMeasurements.length > 0) input.imageMeasurements = draft.imageMeasurements.map(imageMeasurementFromDraft);
  const settings: CampaignInput['settings'] = {};
  const labelClasses = splitList(draft.labelClasses);
  if (labelClasses.length > 0) settings.labelClasses = labelClasses.map((name, index) => ({ name, color: classColor(index) }));
  const batchSize = parseNumber(draft.batchSize);
  if (batchSize !== null) settings.batchSize = batchSize;
  if (Object.keys(settings).length > 0) input.settings = settings;
  return input;
}
