/** Shared pieces of the train-surrogate tests: a recording job context, payloads, and evidence for chooseSurrogate. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NetworkEvidence, Parameter } from '../../../../acquisition/index.js';
import type { JobContext } from '../../../../backend/jobs/types.js';
import type { SurrogateKind, SurrogateTrainingOptions, TrainedSurrogate, TrainSurrogatePayload } from '../../../../backend/trainer/jobs/train-surrogate.js';

/** What a recording context saw. */
export interface Recording {
  lines: string[];
  fractions: number[];
}

/** A job context that records every log line and progress fraction; `stopAfter` lines make shouldStop() true. */
export function recordingContext(recording: Recording, stopAfter = Number.POSITIVE_INFINITY): JobContext {
  return {
    jobId: 1,
    attempt: 1,
    // Payloads' artifactRoot lies under tmpdir() (payloadOf): their data directory; results' artifactDir are relative to it.
    dataDir: tmpdir(),
    progress: (fraction, ...lines) => {
      recording.fractions.push(fraction);
      recording.lines.push(...lines);
    },
    log: (...lines) => recording.lines.push(...lines),
    shouldStop: () => recording.lines.length >= stopAfter,
  };
}

/** Continuous parameters x0..x(d−1) on [0, 1]: their encoding is the identity. */
export function unitParameters(d: number): Parameter[] {
  return Array.from({ length: d }, (_, j) => ({ name: `x${j}`, type: 'continuous' as const, min: 0, max: 1 }));
}

/** A payload training every row of X for each objective (result ids 100 + i, sample ids 500 + i). */
export function payloadOf(
  X: number[][], targets: { objective: string; values: number[]; noise?: number[] }[], options: SurrogateTrainingOptions,
  kind: SurrogateKind = 'deep-ensemble',
): TrainSurrogatePayload {
  return {
    kind,
    X,
    rows: X.map((_, i) => ({ resultId: 100 + i, sampleId: 500 + i })),
    encoding: { parameters: unitParameters(X[0].length), features: null },
    targets: targets.map((target) => ({ ...target, rows: X.map((_, i) => i) })),
    options,
    artifactRoot: mkdtempSync(join(tmpdir(), 'twinlab-surrogate-')),
  };
}

/** A trained model as chooseSurrogate's evidence (usable now). */
export function evidenceOf(model: TrainedSurrogate, modelId = 1): NetworkEvidence {
  const { varianceScale: _scale, ...scores } = model.metrics;
  return { kind: model.kind, modelId, scores, gp: model.comparison.gp, difference: model.comparison.difference, flags: model.flags, usable: true };
}
