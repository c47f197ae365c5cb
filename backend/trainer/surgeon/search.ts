/**
 * The Surgeon (Schiessler et al., Neural Networks 144, 2021): train a small network; every `interval` epochs propose
 * surgery candidates, give each (and the unchanged network) a short retraining, score them by validation-loss
 * improvement penalized by parameter growth, keep the best branch and continue. Constraints on weight count and
 * inference time filter candidates; an optional extra loss term (e.g. a physics residual) joins every training step.
 */
import { createRandom, shuffleInPlace, type RandomSource } from '../../../acquisition/sampling/random.js';
import { TrainingDataError } from '../errors.js';
import { type ArchitectureSpec, cloneWeights, describeSpec, mlpSpec, parameterCount } from '../mlp/architecture.js';
import { meanSquaredError } from '../mlp/losses.js';
import { MlpModel } from '../mlp/model.js';
import { type ExtraLoss, type TrainingData, evaluateLoss, trainMlp } from '../mlp/train.js';
import type { Network, ProbeData } from './operations.js';
import { type Candidate, proposeCandidates } from './proposals.js';

/** Options of `runSurgeon`. */
export interface SurgeonOptions {
  /** Starting hidden widths (default [10, 10], relu). */
  initialHidden?: number[];
  /** Epochs of the main branch (default 200). */
  epochs?: number;
  /** Epochs between surgery rounds, k (default 20). */
  interval?: number;
  /** Short retraining of each candidate (default 5 epochs). */
  candidateEpochs?: number;
  /** At most this many candidates per round, drawn at random (default 6). */
  maxCandidates?: number;
  /** λ in score = (L₀ − L)/L₀ − λ·(P − P₀)/P₀ (default 0.02). */
  parameterPenalty?: number;
  maxWeights?: number;
  /** Maximum milliseconds for one forward pass of `inferenceBatch` rows (median of 5). */
  maxInferenceMs?: number;
  inferenceBatch?: number;
  batchSize?: number;
  learningRate?: number;
  extraLoss?: ExtraLoss;
  seed?: number;
  /** Called after every round with the fraction of main epochs done. */
  onProgress?: (fraction: number, latest: ArchitectureHistoryEntry) => void;
  /** Polled every epoch; true stops the search (cancellation). */
  shouldStop?: () => boolean;
}

/** One step of the architecture history. */
export interface ArchitectureHistoryEntry {
  epoch: number;
  operation: Candidate['operation'] | 'initial' | 'keep' | 'final';
  description: string;
  architecture: string;
  params: number;
  valLoss: number;
}

/** What the Surgeon found: the best network by validation loss, and how it got there. */
export interface SurgeonResult {
  network: Network;
  valLoss: number;
  history: ArchitectureHistoryEntry[];
  epochsTrained: number;
  candidatesEvaluated: number;
  stopped: boolean;
}

/** Data for the search: training rows, validation rows (targets n x outputSize, e.g. standardized). */
export interface SurgeonData {
  train: TrainingData;
  validation: TrainingData;
}

/** Runs the Surgeon and returns the best network seen (weights copied out; no tensors stay allocated). */
export function runSurgeon(data: SurgeonData, options: SurgeonOptions = {}): SurgeonResult {
  const settings = resolveOptions(options);
  const inputSize = data.train.x.length / data.train.n;
  const outputSize = data.train.y.length / data.train.n;
  if (!Number.isInteger(inputSize) || !Number.isInteger(outputSize)) throw new TrainingDataError('ragged training data');
  const random = createRandom(settings.seed);
  const probe = probeRows(data.train, inputSize, 256, random);
  let current = MlpModel.create(mlpSpec(inputSize, settings.initialHidden, outputSize), settings.seed);
  const state = { epochsTrained: 0, candidatesEvaluated: 0, stopped: false, mainEpochs: 0 };
  const history: ArchitectureHistoryEntry[] = [];
  let best = { network: snapshot(current), valLoss: Number.POSITIVE_INFINITY };
  try {
    while (state.mainEpochs < settings.epochs && !state.stopped) {
      const epochs = Math.min(settings.interval, settings.epochs - state.mainEpochs);
      train(current, data.train, epochs, settings, state, random);
      state.mainEpochs += epochs;
      const valLoss = evaluateLoss(current, data.validation, meanSquaredError);
      if (history.length === 0) history.push(entry(state.epochsTrained, 'initial', 'start', current.spec, valLoss));
      if (valLoss < best.valLoss) best = { network: snapshot(current), valLoss };
      if (state.mainEpochs >= settings.epochs || state.stopped) {
        history.push(entry(state.epochsTrained, 'final', state.stopped ? 'stopped' : 'end of training', current.spec, valLoss));
        break;
      }
      const round = surgeryRound(current, valLoss, data, probe, settings, state, random);
      current.dispose();
      current = round.model;
      history.push(round.entry);
      if (round.entry.valLoss < best.valLoss) best = { network: snapshot(current), valLoss: round.entry.valLoss };
      settings.onProgress?.(state.mainEpochs / settings.epochs, round.entry);
    }
  } finally {
    current.dispose();
  }
  return { network: best.network, valLoss: best.valLoss, history, ...pick(state) };
}

type Settings = Required<Omit<SurgeonOptions, 'maxWeights' | 'maxInferenceMs' | 'extraLoss' | 'onProgress' | 'shouldStop'>>
  & Pick<SurgeonOptions, 'maxWeights' | 'maxInferenceMs' | 'extraLoss' | 'onProgress' | 'shouldStop'>;

interface SearchState {
  epochsTrained: number;
  candidatesEvaluated: number;
  stopped: boolean;
  mainEpochs: number;
}

/** Fills in defaults. */
function resolveOptions(options: SurgeonOptions): Settings {
  return {
    initialHidden: options.initialHidden ?? [10, 10],
    epochs: options.epochs ?? 200,
    interval: options.interval ?? 20,
    candidateEpochs: options.candidateEpochs ?? 5,
    maxCandidates: options.maxCandidates ?? 6,
    parameterPenalty: options.parameterPenalty ?? 0.02,
    inferenceBatch: options.inferenceBatch ?? 1,
    batchSize: options.batchSize ?? 32,
    learningRate: options.learningRate ?? 3e-3,
    seed: options.seed ?? 0,
    maxWeights: options.maxWeights,
    maxInferenceMs: options.maxInferenceMs,
    extraLoss: options.extraLoss,
    onProgress: options.onProgress,
    shouldStop: options.shouldStop,
  };
}

/** Proposes, retrains and scores candidates plus the unchanged network; returns the winner (others disposed). */
function surgeryRound(
  current: MlpModel, valLoss: number, data: SurgeonData, probe: ProbeData, settings: Settings, state: SearchState, random: RandomSource,
): { model: MlpModel; entry: ArchitectureHistoryEntry } {
  const baseParams = parameterCount(current.spec);
  const candidates = sample(proposeCandidates(snapshot(current), probe, random), settings.maxCandidates, random)
    .filter((candidate) => satisfiesConstraints(candidate.network, settings));
  const options: { candidate: Candidate | null; network: Network }[] = [
    { candidate: null, network: snapshot(current) },
    ...candidates.map((candidate) => ({ candidate, network: candidate.network })),
  ];
  let winner: { model: MlpModel; candidate: Candidate | null; loss: number; score: number } | null = null;
  for (const { candidate, network } of options) {
    if (state.stopped && winner !== null) break;
    const model = MlpModel.fromWeights(network.spec, network.weights);
    train(model, data.train, settings.candidateEpochs, settings, state, random);
    state.candidatesEvaluated++;
    const loss = evaluateLoss(model, data.validation, meanSquaredError);
    const params = parameterCount(model.spec);
    const score = (valLoss - loss) / valLoss - settings.parameterPenalty * (params - baseParams) / baseParams;
    if (winner === null || score > winner.score) {
      winner?.model.dispose();
      winner = { model, candidate, loss, score };
    } else {
      model.dispose();
    }
  }
  if (winner === null) throw new TrainingDataError('surgery round evaluated no candidate');
  const operation = winner.candidate?.operation ?? 'keep';
  const description = winner.candidate?.description ?? 'no change';
  return { model: winner.model, entry: entry(state.epochsTrained, operation, description, winner.model.spec, winner.loss) };
}

/** Trains for some epochs with a fresh Adam, counting epochs and honoring shouldStop. */
function train(model: MlpModel, data: TrainingData, epochs: number, settings: Settings, state: SearchState, random: RandomSource): void {
  const summary = trainMlp(model, data, {
    epochs,
    loss: meanSquaredError,
    seed: random.integer(2 ** 31),
    batchSize: settings.batchSize,
    learningRate: settings.learningRate,
    extraLoss: settings.extraLoss,
    onEpochEnd: () => {
      if (settings.shouldStop?.() === true) state.stopped = true;
      return state.stopped;
    },
  });
  state.epochsTrained += summary.epochs;
}

/** True when the network fits the weight budget and its measured inference time. */
function satisfiesConstraints(network: Network, settings: Settings): boolean {
  if (settings.maxWeights !== undefined && parameterCount(network.spec) > settings.maxWeights) return false;
  if (settings.maxInferenceMs === undefined) return true;
  return inferenceMilliseconds(network, settings.inferenceBatch) <= settings.maxInferenceMs;
}

/** Median wall time of 5 forward passes on a batch of zeros (after one warm-up pass). */
export function inferenceMilliseconds(network: Network, batch: number): number {
  const model = MlpModel.fromWeights(network.spec, network.weights);
  const x = new Float32Array(batch * network.spec.inputSize);
  try {
    model.predict(x, batch);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const start = performance.now();
      model.predict(x, batch);
      times.push(performance.now() - start);
    }
    return times.sort((a, b) => a - b)[2];
  } finally {
    model.dispose();
  }
}

/** A copy of the model's spec and weights. */
function snapshot(model: MlpModel): Network {
  return { spec: model.spec, weights: cloneWeights(model.getWeights()) };
}

/** A history entry. */
function entry(epoch: number, operation: ArchitectureHistoryEntry['operation'], description: string, spec: ArchitectureSpec, valLoss: number): ArchitectureHistoryEntry {
  return { epoch, operation, description, architecture: describeSpec(spec), params: parameterCount(spec), valLoss };
}

/** Up to `count` items in random order. */
function sample<T>(items: T[], count: number, random: RandomSource): T[] {
  const copy = items.slice();
  shuffleInPlace(copy, random);
  return copy.slice(0, count);
}

/** Up to `count` random training rows used to measure activations for pruning. */
function probeRows(data: TrainingData, inputSize: number, count: number, random: RandomSource): ProbeData {
  const n = Math.min(count, data.n);
  const x = new Float32Array(n * inputSize);
  for (let r = 0; r < n; r++) {
    const row = data.n <= count ? r : random.integer(data.n);
    x.set(data.x.subarray(row * inputSize, (row + 1) * inputSize), r * inputSize);
  }
  return { x, n };
}

/** The counters of the final result. */
function pick(state: SearchState): Pick<SurgeonResult, 'epochsTrained' | 'candidatesEvaluated' | 'stopped'> {
  return { epochsTrained: state.epochsTrained, candidatesEvaluated: state.candidatesEvaluated, stopped: state.stopped };
}
