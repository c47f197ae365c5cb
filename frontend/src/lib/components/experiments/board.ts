// The board of experiments as data: which recorded batches are still open, units of outcomes and parameters, and the
// engine's per-objective reasons as short lines a chemist reads ("P(in 27–33 nm target) = 72 %").
import type { Campaign, IdLike, OutcomeReason, SampleStatus, SuggestionItem, SuggestionRun } from '../../api/types.js';
import { formatMeanStd, formatParamValue } from './explain.js';

/** One suggested experiment on the board: the engine's item and its rank (1-based) within its batch. */
export interface BoardItem {
  item: SuggestionItem;
  rank: number;
}

/** One batch on the board: a recorded suggestion run and the items it still shows. */
export interface BoardBatch {
  suggestionId: IdLike;
  strategy: string;
  modelId: IdLike | null;
  seed?: number;
  createdAt?: string | null;
  items: BoardItem[];
}

/** Statuses of an experiment that is still open on the board. */
export const OPEN_STATUSES: readonly SampleStatus[] = ['pending', 'running'];

/**
 * The batches to show, newest first, from the stored runs (newest first): a run's item is shown while its sample is
 * open (pending or running) or was already shown on this page (`shown`: it stays, e.g. to show values measured from
 * its images), unless it was measured through this page (`hidden`). A sample suggested again belongs to its newest run
 * only; runs with nothing left to show are left out.
 */
export function openBatches(runs: readonly SuggestionRun[], statusOf: ReadonlyMap<number, SampleStatus>, shown: ReadonlySet<number> = new Set(), hidden: ReadonlySet<number> = new Set()): BoardBatch[] {
  const seen = new Set<number>();
  const batches: BoardBatch[] = [];
  for (const run of runs) {
    const items: BoardItem[] = [];
    run.items.forEach((item, index) => {
      const id = item.sampleId;
      if (id === undefined || seen.has(id)) return;
      seen.add(id);
      const status = statusOf.get(Number(id));
      const open = status !== undefined && OPEN_STATUSES.includes(status);
      if ((open || shown.has(Number(id))) && !hidden.has(Number(id))) items.push({ item, rank: index + 1 });
    });
    if (items.length > 0) batches.push({ suggestionId: run.id, strategy: run.strategy, modelId: run.modelId, seed: run.seed, createdAt: run.createdAt, items });
  }
  return batches;
}

/** The unit of an outcome: its objective's, else the image measurement's of that name; undefined when none is given. */
export function outcomeUnit(campaign: Pick<Campaign, 'objectives' | 'imageMeasurements'>, outcome: string): string | undefined {
  return campaign.objectives.find((o) => o.name === outcome)?.unit ?? campaign.imageMeasurements?.find((m) => m.name === outcome)?.unit ?? undefined;
}

/** The unit of a design-space parameter, when it has one. */
export function parameterUnit(campaign: Pick<Campaign, 'parameters'>, name: string): string | undefined {
  return campaign.parameters.find((p) => p.name === name)?.unit ?? undefined;
}

/** "name [unit]" for a column heading; the name alone without a unit. */
export function headingWithUnit(name: string, unit: string | undefined): string {
  return unit ? `${name} [${unit}]` : name;
}

/** A number to 3 significant digits for a sentence, as JavaScript writes it: "12.1", "0.4", "12300", "1.23e-7". */
export function shortNumber(value: number): string {
  return String(Number(value.toPrecision(3)));
}

/** "value unit", or the value alone without a unit. */
function withUnit(text: string, unit: string | undefined): string {
  return unit ? `${text} ${unit}` : text;
}

/** A probability as a percentage: "72 %", "< 1 %" and "> 99 %" at the ends, where a rounded 0 % or 100 % would overstate. */
export function percent(p: number): string {
  if (!Number.isFinite(p)) return '—';
  if (p < 0.005) return '< 1 %';
  if (p > 0.995) return '> 99 %';
  return `${Math.round(p * 100)} %`;
}

/** "= 72 %", or "< 1 %" / "> 99 %" at the ends: what follows "P(…)" in a reason. */
function probabilityClause(p: number): string {
  const text = percent(p);
  return text.startsWith('<') || text.startsWith('>') ? text : `= ${text}`;
}

/** One reason as a short line, in the outcome's unit (see acquisition/suggest/reasons.ts for the formulas). */
export function reasonText(reason: OutcomeReason, unit: string | undefined): string {
  switch (reason.kind) {
    case 'target-band':
      return `P(in ${shortNumber(reason.lower)}–${withUnit(shortNumber(reason.upper), unit)} target) ${probabilityClause(reason.probability)}`;
    case 'target-distance':
      return `expected ${withUnit(shortNumber(reason.expectedDistance), unit)} from the ${withUnit(shortNumber(reason.target), unit)} target`;
    case 'improvement': {
      // Minimized: "X lower than", since "−X below" would read as a double negative.
      const gain = reason.goal === 'maximize' ? `+${withUnit(shortNumber(reason.expectedImprovement), unit)} over` : `${withUnit(shortNumber(reason.expectedImprovement), unit)} lower than`;
      return `expected ${gain} the best so far (${withUnit(shortNumber(reason.best), unit)}); P(better) ${probabilityClause(reason.probability)}`;
    }
    case 'constraint':
      return `P(${reason.op === '<=' ? '≤' : '≥'} ${withUnit(shortNumber(reason.value), unit)}) ${probabilityClause(reason.probability)}`;
  }
}

/** A reason in a few words for a table cell whose heading names the outcome and its unit. */
export function reasonShort(reason: OutcomeReason): string {
  switch (reason.kind) {
    case 'target-band':
      return `P(in target) ${percent(reason.probability)}`;
    case 'target-distance':
      return `${shortNumber(reason.expectedDistance)} from target`;
    case 'improvement':
      return `${reason.goal === 'maximize' ? '+' : '−'}${shortNumber(reason.expectedImprovement)} vs best, P ${percent(reason.probability)}`;
    case 'constraint':
      return `P(${reason.op === '<=' ? '≤' : '≥'} ${shortNumber(reason.value)}) ${percent(reason.probability)}`;
  }
}

/** What a reason's line means, for its tooltip. */
export function reasonTitle(reason: OutcomeReason): string {
  switch (reason.kind) {
    case 'target-band':
      return 'Probability that the outcome lands in the target band, from the model’s prediction ± its uncertainty.';
    case 'target-distance':
      return 'Expected distance of the outcome from its target under the model’s prediction.';
    case 'improvement':
      return 'Expected improvement: by how much the outcome is expected to beat the best measured value (0 when it does not), averaged over the model’s uncertainty; P(better) is the probability that it beats it at all.';
    case 'constraint':
      return 'Probability that the outcome satisfies this constraint, from the model’s prediction ± its uncertainty.';
  }
}

/** The reason lines of an item, each with its outcome, unit-aware; none for items recorded before reasons existed. */
export function reasonLines(item: Pick<SuggestionItem, 'reasons'>, campaign: Pick<Campaign, 'objectives' | 'imageMeasurements'>): { outcome: string; text: string; title: string }[] {
  return (item.reasons ?? []).map((reason) => ({ outcome: reason.outcome, text: reasonText(reason, outcomeUnit(campaign, reason.outcome)), title: reasonTitle(reason) }));
}

/** "12.3 ± 0.4 nm": the prediction with its std (explain.ts formatMeanStd) and unit; "—" when the engine gave none. */
export function predictionText(mean: number | undefined, std: number | undefined, unit: string | undefined): string {
  const text = formatMeanStd(mean, std);
  return text === '—' ? text : withUnit(text, unit);
}

/** A parameter value with its unit, for a card ("26.5 wt%"); strings as they are. */
export function paramText(value: number | string | undefined, unit: string | undefined): string {
  const text = formatParamValue(value);
  return typeof value === 'number' ? withUnit(text, unit) : text;
}
