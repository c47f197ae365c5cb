/**
 * What a surrogate training job leaves in each objective's artifact directory besides the tensorflow.js members:
 * the ensemble in the engine's plain-data form (ensemble.json, what suggestions and diagnostics load) and the
 * cross-validation that measured it against the GP on the same folds (cv.json, what parity plots show).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NetworkEncoding, NetworkEnsembleSpec } from '../../acquisition/index.js';

/** File names inside an objective's artifact directory. */
export const ENSEMBLE_FILE = 'ensemble.json';
export const CROSS_VALIDATION_FILE = 'cv.json';

/** A trained network surrogate as the engine loads it. */
export interface SavedNetworkSurrogate {
  format: 1;
  kind: 'deep-ensemble' | 'surgeon';
  objective: string;
  ensemble: NetworkEnsembleSpec;
  encoding: NetworkEncoding;
}

/** Held-out predictions of one training job for one objective: the network's (calibrated by cross-fitting) and the GP's, on the same folds. */
export interface SavedCrossValidation {
  format: 1;
  objective: string;
  /** One entry per training row of this objective, in the order of the predictions below. */
  rows: { resultId: number; sampleId: number; y: number }[];
  /** Held-out row indices (into `rows`) of each fold. */
  folds: number[][];
  network: { mean: number[]; std: number[] };
  gp: { mean: number[]; std: number[] };
}

/** Writes a JSON artifact (creating the directory). */
function writeJson(dir: string, file: string, value: unknown): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, file), JSON.stringify(value));
}

/** Saves the engine form of a trained ensemble. */
export function saveNetworkSurrogate(dir: string, saved: SavedNetworkSurrogate): void {
  writeJson(dir, ENSEMBLE_FILE, saved);
}

/** Saves the held-out predictions of a training job. */
export function saveCrossValidation(dir: string, saved: SavedCrossValidation): void {
  writeJson(dir, CROSS_VALIDATION_FILE, saved);
}

/** Loads ensemble.json; throws when it is missing or not format 1. */
export function loadNetworkSurrogate(dir: string): SavedNetworkSurrogate {
  const saved = JSON.parse(readFileSync(join(dir, ENSEMBLE_FILE), 'utf8')) as SavedNetworkSurrogate;
  if (saved.format !== 1) throw new Error(`${ENSEMBLE_FILE} has an unknown format ${String(saved.format)}`);
  return saved;
}

/** Loads cv.json; throws when it is missing or not format 1. */
export function loadCrossValidation(dir: string): SavedCrossValidation {
  const saved = JSON.parse(readFileSync(join(dir, CROSS_VALIDATION_FILE), 'utf8')) as SavedCrossValidation;
  if (saved.format !== 1) throw new Error(`${CROSS_VALIDATION_FILE} has an unknown format ${String(saved.format)}`);
  return saved;
}
