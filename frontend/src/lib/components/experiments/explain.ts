// Plain-language explanations of why a suggestion was chosen, from its strategy, score and prediction.
import type { Campaign, SuggestionItem } from '../../api/types.js';

/** "12.3 ± 0.4" with 3 significant digits; "—" when the engine gave no prediction. */
export function formatMeanStd(mean: number | undefined, std: number | undefined): string {
  if (mean === undefined || !Number.isFinite(mean)) return '—';
  const m = Number(mean.toPrecision(3));
  if (std === undefined || !Number.isFinite(std)) return String(m);
  return `${m} ± ${Number(std.toPrecision(2))}`;
}

/** A parameter value for display: numbers to 4 significant digits (the stored value keeps full precision). */
export function formatParamValue(value: number | string | undefined): string {
  if (value === undefined) return '—';
  if (typeof value === 'string') return value;
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}

/** What each trust flag of a suggestion means, for the badge's title. */
const FLAG_TITLES: Record<string, string> = {
  boundary: 'On the edge of the design space: a parameter sits at its minimum or maximum. Check that the lab can run it, and consider widening the range if such points keep winning.',
  extrapolation: 'Far from every measured point (more than 2 model lengthscales): the prediction here is little more than a guess.',
};

/** The explanation of one trust flag (the flag itself for one this page does not know). */
export function flagTitle(flag: string): string {
  return FLAG_TITLES[flag] ?? flag;
}

/**
 * One or two sentences: rank, strategy and score; then, with a model, whether the pick exploits a good
 * predicted mean or explores high uncertainty; without one, that it fills the design space.
 */
export function explainSuggestion(item: SuggestionItem, campaign: Campaign, rank: number, hasModel = true): string {
  const parts: string[] = [`Ranked #${rank + 1} by ${item.strategy} (score ${Number(item.score.toPrecision(3))}).`];
  const objective = campaign.objectives[0];
  if (!hasModel) {
    parts.push('No model is trained yet, so this point was chosen to cover the design space far from earlier experiments.');
  } else if (objective) {
    const mean = item.mean[objective.name];
    const std = item.std[objective.name];
    if (mean !== undefined && std !== undefined && Number.isFinite(mean) && Number.isFinite(std)) {
      const relative = Math.abs(mean) > 1e-12 ? std / Math.abs(mean) : std;
      parts.push(
        relative > 0.25
          ? `The model is unsure here (±${Number(std.toPrecision(2))}): measuring it teaches the model most.`
          : `The model expects a good ${objective.name} here with little uncertainty.`,
      );
    }
  }
  return parts.join(' ');
}
