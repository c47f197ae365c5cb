// Words and numbers of the "which model decides" views: names of surrogate models, the comparison table's rows and
// cells, the badge on suggestions a network ranked, and which model's diagnostics to show by default.
import type {
  ModelVersion, PredictiveScores, SurrogateCandidateView, SurrogateSetting, SurrogateUse, ObjectiveSurrogateView,
} from '../../api/types.js';

/** The setting's choices as the settings control offers them. */
export const SURROGATE_SETTING_OPTIONS: readonly { value: SurrogateSetting; label: string }[] = [
  { value: 'auto', label: 'Auto — by held-out evidence' },
  { value: 'gp', label: 'Gaussian process' },
  { value: 'deep-ensemble', label: 'Deep ensemble' },
  { value: 'surgeon', label: 'Surgeon' },
];

/** Model kinds that are trained networks (each trained per objective, with artifacts and a held-out comparison). */
export const NETWORK_KINDS: ReadonlySet<string> = new Set(['deep-ensemble', 'surgeon']);

const KIND_LABELS: Record<string, string> = { gp: 'Gaussian process', 'deep-ensemble': 'Deep ensemble', surgeon: 'Surgeon ensemble' };

/** "Deep ensemble", "Gaussian process", …; an unknown kind as it came. */
export function kindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? kind;
}

/** A model by kind and id, as diagnostics titles name it: "Deep ensemble #12"; the kind alone without an id. */
export function modelTitle(kind: string, id: number | null | undefined): string {
  return id === null || id === undefined ? kindLabel(kind) : `${kindLabel(kind)} #${id}`;
}

/** The model that ranks an objective, in words: a network by kind and id; the GP says it is fitted at each suggestion. */
export function deciderName(use: SurrogateUse): string {
  return use.kind === 'gp' ? 'Gaussian process (fitted at each suggestion)' : modelTitle(use.kind, use.modelId);
}

/**
 * The engine's reason for its choice, as a sentence for the page: the heading already names the deciding model, so the
 * engine's "GP: " prefix goes, and "GP" is spelled out ("GP: no trained network yet" → "No network has been trained
 * for this objective yet.").
 */
export function reasonInWords(reason: string): string {
  const text = reason
    .replace(/^GP:\s*/, '')
    .replace(/^no trained network yet$/, 'no network has been trained for this objective yet')
    .replace(/\bGP\b/g, 'Gaussian process')
    .trim();
  if (text === '') return '';
  const sentence = text[0].toUpperCase() + text.slice(1);
  return /[.!?)]$/.test(sentence) ? sentence : `${sentence}.`;
}

/** The small badge of a suggestion an outcome of which a network ranked: one per such outcome, GP outcomes left out. */
export function rankedByBadges(surrogates: Record<string, SurrogateUse> | undefined, objectiveCount: number): { outcome: string; text: string }[] {
  return Object.entries(surrogates ?? {})
    .filter(([, use]) => use.kind !== 'gp')
    .map(([outcome, use]) => {
      const by = `ranked by ${modelTitle(use.kind, use.modelId).toLowerCase()}`;
      // With one objective the outcome is obvious; with several, say which one the network ranked.
      return { outcome, text: objectiveCount > 1 ? `${outcome} ${by}` : by };
    });
}

/**
 * The models behind a suggested batch, for its heading: "model #4" from servers that do not say which model ranked what;
 * otherwise the GP record (`modelId`) where the GP ranked some outcome, then each network: "Gaussian process #4,
 * deep ensemble #2"; "no model yet" for a batch chosen without a model.
 */
export function batchModelsText(items: readonly { surrogates?: Record<string, SurrogateUse> }[], modelId: number | string | null): string {
  const uses = items.flatMap((item) => Object.values(item.surrogates ?? {}));
  if (uses.length === 0) return modelId === null ? 'no model yet' : `model #${modelId}`;
  const names: string[] = [];
  if (uses.some((use) => use.kind === 'gp')) names.push(modelId === null ? 'Gaussian process' : `Gaussian process #${modelId}`);
  for (const use of uses) {
    const name = modelTitle(use.kind, use.modelId).toLowerCase();
    if (use.kind !== 'gp' && !names.includes(name)) names.push(name);
  }
  return names.join(', ');
}

const FLAG_TEXTS: Record<string, string> = {
  'worse-than-mean': 'worse than predicting the mean (held-out R² < 0)',
};

/** A candidate's flag in words (the flag itself for one this page does not know). */
export function flagText(flag: string): string {
  return FLAG_TEXTS[flag] ?? flag.replace(/-/g, ' ');
}

/** A number's text with a true minus sign ("−0.34"), as the server's reasons write it. */
function withMinus(text: string): string {
  return text.startsWith('-') ? `−${text.slice(1)}` : text;
}

/** A finite number to 3 significant digits; "—" otherwise (NaN arrives as null over JSON). */
export function formatNumber(value: number | null | undefined): string {
  return typeof value === 'number' && Number.isFinite(value) ? withMinus(String(Number(value.toPrecision(3)))) : '—';
}

/** A number to 2 decimals ("−0.34"; R² near 0 reads "0.00", not "1.11e-16"); "—" when not finite. */
export function formatFixed(value: number | null | undefined): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  const text = value.toFixed(2);
  return text === '-0.00' ? '0.00' : withMinus(text);
}

/** A log density in nats per result, 2 decimals (differences of a few hundredths matter: the choice margin is 0.05). */
export function formatNats(value: number | null | undefined): string {
  return formatFixed(value);
}

/** How held-out scores were measured: "12 results · leave-one-out" or "400 results · 5 folds". */
export function evidenceSize(scores: Pick<PredictiveScores, 'n' | 'folds'>): string {
  return `${scores.n} results · ${scores.folds === scores.n ? 'leave-one-out' : `${scores.folds} folds`}`;
}

/** A fraction as a whole percentage: 0.683 → "68 %". */
export function formatPercent(fraction: number | null | undefined): string {
  return typeof fraction === 'number' && Number.isFinite(fraction) ? `${Math.round(fraction * 100)} %` : '—';
}

/** A paired difference with its standard error and sign: "+0.21 ± 0.05". */
export function formatDifference(meanDifference: number | null | undefined, standardError: number | null | undefined): string {
  if (typeof meanDifference !== 'number' || !Number.isFinite(meanDifference)) return '—';
  const sign = meanDifference > 0 ? '+' : meanDifference < 0 ? '−' : '±';
  const se = typeof standardError === 'number' && Number.isFinite(standardError) ? ` ± ${standardError.toFixed(2)}` : '';
  return `${sign}${Math.abs(meanDifference).toFixed(2)}${se}`;
}

/** Whether a candidate is the model that ranks the objective. */
export function isChosen(candidate: Pick<SurrogateCandidateView, 'kind' | 'modelId'>, chosen: SurrogateUse): boolean {
  return chosen.kind === candidate.kind && chosen.modelId === candidate.modelId;
}

/** What a candidate's status cell says: chosen, usable, or why not (its flags, or why the service cannot rank with it). */
export function candidateStatus(candidate: SurrogateCandidateView, chosen: SurrogateUse): { tone: 'chosen' | 'ok' | 'warn'; text: string } {
  if (isChosen(candidate, chosen)) return { tone: 'chosen', text: 'ranks suggestions' };
  const problems = [
    ...candidate.flags.map(flagText),
    ...(candidate.usable ? [] : [`not usable: ${candidate.whyNot ?? 'no reason given'}`]),
  ];
  if (problems.length > 0) return { tone: 'warn', text: problems.join('; ') };
  return { tone: 'ok', text: 'usable, not better by the margin' };
}

/** One block of the comparison table: the GP's scores on some folds and the networks measured on those same folds. */
export interface ComparisonGroup {
  gp: PredictiveScores;
  networks: SurrogateCandidateView[];
}

/**
 * The candidates grouped by the GP scores they were compared with: networks of one training job share folds and so
 * one GP row; networks of different jobs (other data, other folds) each get their own GP row. Order: as listed.
 */
export function comparisonGroups(candidates: readonly SurrogateCandidateView[]): ComparisonGroup[] {
  const groups = new Map<string, ComparisonGroup>();
  for (const candidate of candidates) {
    const gp = candidate.gp;
    const key = [gp.n, gp.folds, gp.logDensity, gp.rmse].join('|');
    const group = groups.get(key);
    if (group) group.networks.push(candidate);
    else groups.set(key, { gp, networks: [candidate] });
  }
  return [...groups.values()];
}

/** One model whose diagnostics can be shown for an objective. */
export interface DiagnosticsChoice {
  modelId: number;
  kind: string;
  label: string;
  /** Whether this model ranks the objective's suggestions. */
  decides: boolean;
}

/**
 * The models whose diagnostics can be shown for one objective, the one that ranks it first: the GP through its newest
 * record (a GP record covers every objective), and every trained network of the objective, newest first.
 */
export function diagnosticsChoices(objective: string, view: ObjectiveSurrogateView | undefined, models: readonly ModelVersion[]): DiagnosticsChoice[] {
  const choices: DiagnosticsChoice[] = [];
  const gpId = view?.chosen.kind === 'gp' && view.chosen.modelId !== null ? view.chosen.modelId : models.find((model) => model.kind === 'gp')?.id;
  const chosen = view?.chosen;
  const decides = (kind: string, modelId: number) => chosen !== undefined && chosen.kind === kind && (kind === 'gp' || chosen.modelId === modelId);
  if (gpId !== undefined) choices.push({ modelId: gpId, kind: 'gp', label: modelTitle('gp', gpId), decides: decides('gp', gpId) });
  const networks = new Map<number, DiagnosticsChoice>();
  const addNetwork = (kind: string, modelId: number) => {
    if (!networks.has(modelId)) networks.set(modelId, { modelId, kind, label: modelTitle(kind, modelId), decides: decides(kind, modelId) });
  };
  for (const candidate of view?.candidates ?? []) addNetwork(candidate.kind, candidate.modelId);
  for (const model of models) if (model.objective === objective && NETWORK_KINDS.has(model.kind)) addNetwork(model.kind, model.id);
  choices.push(...[...networks.values()].sort((a, b) => b.modelId - a.modelId));
  // The model that ranks the objective comes first: it is the default view.
  const first = choices.findIndex((choice) => choice.decides);
  if (first > 0) choices.unshift(...choices.splice(first, 1));
  return choices;
}
