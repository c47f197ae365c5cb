/** Which surrogate ranks an outcome: the GP unless a trained network predicts held-out results clearly better. */
import type { NetworkEvidence, SurrogateChoice, SurrogateSetting } from './types.js';

/**
 * Least gain in mean held-out log predictive density (nats per result) for auto to leave the GP: on top of two
 * standard errors, so that a network whose edge is within noise, or tiny on many results, does not replace the GP.
 */
export const SURROGATE_CHOICE_MARGIN = 0.05;

/** The flag of a network whose held-out R² is below 0 (worse than predicting the mean). */
export const WORSE_THAN_MEAN_FLAG = 'worse-than-mean';

const KIND_NAMES: Record<NetworkEvidence['kind'], string> = { 'deep-ensemble': 'deep ensemble', surgeon: 'Surgeon ensemble' };

/** "deep ensemble #12". */
function nameOf(candidate: NetworkEvidence): string {
  return `${KIND_NAMES[candidate.kind]} #${candidate.modelId}`;
}

/** Two decimals with a true minus: "0.31", "−0.34". */
function decimal(value: number): string {
  return value < 0 ? `−${Math.abs(value).toFixed(2)}` : value.toFixed(2);
}

/** Two decimals with an explicit sign: "+0.31", "−0.34". */
function signed(value: number): string {
  return value < 0 ? decimal(value) : `+${decimal(value)}`;
}

/** "+0.31 ± 0.06 nats per result". */
function gain(candidate: NetworkEvidence): string {
  return `${signed(candidate.difference.meanDifference)} ± ${decimal(candidate.difference.standardError)} nats per result`;
}

/** "over 412 results (5 folds)" or "over 13 results (leave-one-out)". */
function evidenceSize(candidate: NetworkEvidence): string {
  const { n, folds } = candidate.scores;
  return `over ${n} results (${folds === n ? 'leave-one-out' : `${folds} folds`})`;
}

/** Why a flagged network is not trusted, in words. */
function flagReason(candidate: NetworkEvidence): string {
  if (candidate.flags.includes(WORSE_THAN_MEAN_FLAG)) return `predicts worse than the mean (held-out R² ${decimal(candidate.scores.r2)})`;
  return `is flagged (${candidate.flags.join(', ')})`;
}

/** Whether auto may pick it: usable now, unflagged, and better than the GP by max(2·SE, SURROGATE_CHOICE_MARGIN). */
function clearlyBetter(candidate: NetworkEvidence): boolean {
  const { meanDifference, standardError } = candidate.difference;
  return candidate.usable && candidate.flags.length === 0 && meanDifference >= Math.max(2 * standardError, SURROGATE_CHOICE_MARGIN);
}

/** The largest mean log-density gain first (NaN last); stable, so ties keep the caller's newest-first order. */
function byGain(a: NetworkEvidence, b: NetworkEvidence): number {
  const da = Number.isNaN(a.difference.meanDifference) ? -Infinity : a.difference.meanDifference;
  const db = Number.isNaN(b.difference.meanDifference) ? -Infinity : b.difference.meanDifference;
  return db - da;
}

/** The GP, and why no network was chosen: about the closest contender (usable and unflagged first). */
function gpBecause(candidates: readonly NetworkEvidence[]): SurrogateChoice {
  const gp = (reason: string): SurrogateChoice => ({ kind: 'gp', modelId: null, reason: `GP: ${reason}` });
  if (candidates.length === 0) return gp('no trained network yet');
  const usable = candidates.filter((c) => c.usable).sort(byGain);
  if (usable.length === 0) return gp(`${nameOf(candidates[0])} cannot be used now (${candidates[0].whyNot ?? 'not usable'})`);
  const unflagged = usable.find((c) => c.flags.length === 0);
  if (unflagged === undefined) return gp(`${nameOf(usable[0])} ${flagReason(usable[0])}`);
  return gp(`${nameOf(unflagged)} is not clearly better (${gain(unflagged)})`);
}

/**
 * The surrogate of one outcome. `auto`: the usable, unflagged network with the largest mean held-out log-density gain
 * over the GP if that gain is ≥ max(2·standard error, SURROGATE_CHOICE_MARGIN), else the GP. A forced network kind: the
 * newest usable network of that kind (candidates come newest first), else the GP, saying why. `gp`: the GP.
 */
export function chooseSurrogate(setting: SurrogateSetting, candidates: readonly NetworkEvidence[]): SurrogateChoice {
  if (setting === 'gp') return { kind: 'gp', modelId: null, reason: 'GP: the campaign\'s surrogate setting is gp' };
  if (setting === 'auto') {
    const best = candidates.filter(clearlyBetter).sort(byGain)[0];
    if (best === undefined) return gpBecause(candidates);
    return {
      kind: best.kind,
      modelId: best.modelId,
      reason: `${nameOf(best)} predicts held-out results better than the GP: ${gain(best)} ${evidenceSize(best)}`,
    };
  }
  const ofKind = candidates.filter((c) => c.kind === setting);
  const chosen = ofKind.find((c) => c.usable);
  const wanted = KIND_NAMES[setting];
  if (chosen === undefined) {
    const why = ofKind.length === 0 ? `no ${wanted} is trained yet` : `${nameOf(ofKind[0])} cannot be used now (${ofKind[0].whyNot ?? 'not usable'})`;
    return { kind: 'gp', modelId: null, reason: `GP: the campaign's surrogate setting asks for a ${wanted}, but ${why}` };
  }
  const warning = chosen.flags.length > 0 ? `; note that it ${flagReason(chosen)}` : '';
  return {
    kind: chosen.kind,
    modelId: chosen.modelId,
    reason: `${nameOf(chosen)}: the campaign's surrogate setting asks for a ${wanted}; against the GP it scores ${gain(chosen)} ${evidenceSize(chosen)}${warning}`,
  };
}
