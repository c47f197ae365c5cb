// How an objective's declared physical range reads next to its name: "0–1", "-5 to 5", "≥ 0" or "≤ 100" (in its unit).
import type { Objective, OutcomeConstraint } from '../api/types.js';

/** An outcome's declared physical range; either side may be open. */
export type OutcomeRange = Pick<Objective, 'lowerBound' | 'upperBound'>;

/** The range a campaign declares for outcome `name` (on its objective, else on a constraint of it); {} when none. */
export function outcomeRangeOf(campaign: { objectives: readonly Objective[]; constraints?: readonly OutcomeConstraint[] | null }, name: string): OutcomeRange {
  const declaring = [...campaign.objectives, ...(campaign.constraints ?? [])].find(
    (o) => o.name === name && (o.lowerBound !== undefined || o.upperBound !== undefined),
  );
  return declaring ? { lowerBound: declaring.lowerBound, upperBound: declaring.upperBound } : {};
}

/** The declared range of `objective` as short text, or null when it declares none. */
export function objectiveRangeText(objective: OutcomeRange): string | null {
  const { lowerBound: lower, upperBound: upper } = objective;
  // A dash between negative numbers reads as a minus ("-5–-1"): then the words.
  if (lower !== undefined && upper !== undefined) return lower < 0 || upper < 0 ? `${lower} to ${upper}` : `${lower}–${upper}`;
  if (lower !== undefined) return `≥ ${lower}`;
  if (upper !== undefined) return `≤ ${upper}`;
  return null;
}
