/**
 * The pools of the pool benchmark: the six real tables of ../shared/data/pools (replicates averaged, the pool is the
 * set of unique inputs, goal per its README) and synthetic problems of bench/problems evaluated on a fixed random
 * set of points (a discrete pool). Inputs become continuous parameters spanning the pool's range, as a user who
 * imports the table as candidates would declare them.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRandom, type Objective, type Parameter } from '../../acquisition/index.js';
import { braninProblem, hartmann6Problem, type BenchmarkProblem } from '../problems/index.js';

/** One pool data set. */
export interface PoolDataset {
  name: string;
  parameters: Parameter[];
  objective: Objective;
  /** Unique inputs, one row per candidate, in the order of the parameters. */
  inputs: number[][];
  /** Measured objective per candidate (replicates averaged), original units. */
  values: number[];
}

/** Where the tables are: ../shared/data/pools from the repository root, or POOL_BENCH_DATA. */
export const POOL_DATA_DIR = process.env.POOL_BENCH_DATA
  ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'data', 'pools');

/** The real tables and their goals (see the data README). */
const TABLES: Array<{ file: string; goal: 'maximize' | 'minimize' }> = [
  { file: 'alkox', goal: 'maximize' },
  { file: 'colors_bob', goal: 'minimize' },
  { file: 'suzuki', goal: 'maximize' },
  { file: 'benzylation', goal: 'minimize' },
  { file: 'snar', goal: 'minimize' },
  { file: 'oer_plate_3496', goal: 'minimize' },
];

/** Synthetic problems as pools: size and the seed of the points. */
const SYNTHETIC: Array<{ name: string; problem: BenchmarkProblem; size: number; seed: number }> = [
  { name: 'branin-pool', problem: braninProblem, size: 400, seed: 11 },
  { name: 'hartmann6-pool', problem: hartmann6Problem, size: 1000, seed: 12 },
];

/** Names of every data set of the suite, in run order. */
export const DATASET_NAMES: string[] = [...TABLES.map((t) => t.file), ...SYNTHETIC.map((s) => s.name)];

/** Parses one table: header, numeric rows, last column the objective; replicates (equal inputs) averaged. */
export function parsePoolTable(name: string, text: string, goal: 'maximize' | 'minimize'): PoolDataset {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0].split(',').map((h) => h.trim());
  const inputNames = header.slice(0, -1);
  const groups = new Map<string, { x: number[]; sum: number; count: number }>();
  for (const line of lines.slice(1)) {
    const cells = line.split(',').map(Number);
    if (cells.length !== header.length || cells.some((c) => !Number.isFinite(c))) throw new Error(`${name}: bad row "${line}"`);
    const x = cells.slice(0, -1);
    const key = x.join(',');
    const group = groups.get(key) ?? { x, sum: 0, count: 0 };
    group.sum += cells[cells.length - 1];
    group.count++;
    groups.set(key, group);
  }
  const rows = [...groups.values()];
  const columns = inputNames.map((n, j) => ({ n, j, lo: Math.min(...rows.map((r) => r.x[j])), hi: Math.max(...rows.map((r) => r.x[j])) }));
  // A column with one value carries no information and is not a valid range: leave it out.
  const varying = columns.filter((c) => c.hi > c.lo);
  return {
    name,
    parameters: varying.map((c) => ({ name: c.n, type: 'continuous' as const, min: c.lo, max: c.hi })),
    objective: { name: header[header.length - 1], goal },
    inputs: rows.map((r) => varying.map((c) => r.x[c.j])),
    values: rows.map((r) => r.sum / r.count),
  };
}

/** A synthetic problem evaluated on `size` uniform points of its box (fixed seed). */
function syntheticPool(name: string, problem: BenchmarkProblem, size: number, seed: number): PoolDataset {
  const rng = createRandom(seed);
  const objective = problem.objectives[0];
  const inputs = Array.from({ length: size }, () => problem.parameters.map((p) => p.min! + rng.uniform() * (p.max! - p.min!)));
  const values = inputs.map((x) => problem.evaluate(Object.fromEntries(problem.parameters.map((p, j) => [p.name, x[j]])))[objective.name]);
  return { name, parameters: problem.parameters, objective: { name: objective.name, goal: objective.goal }, inputs, values };
}

/** Loads the named data sets (all when names is empty). */
export function loadDatasets(names: readonly string[]): PoolDataset[] {
  const wanted = names.length === 0 ? DATASET_NAMES : names;
  const unknown = wanted.filter((n) => !DATASET_NAMES.includes(n));
  if (unknown.length > 0) throw new Error(`unknown data sets ${unknown.join(', ')}; known: ${DATASET_NAMES.join(', ')}`);
  return wanted.map((n) => {
    const table = TABLES.find((t) => t.file === n);
    if (table) return parsePoolTable(n, readFileSync(join(POOL_DATA_DIR, `${n}.csv`), 'utf8'), table.goal);
    const s = SYNTHETIC.find((x) => x.name === n)!;
    return syntheticPool(s.name, s.problem, s.size, s.seed);
  });
}

/** Goal-signed values: larger is better. */
export function signedValues(dataset: PoolDataset): number[] {
  return dataset.values.map((v) => (dataset.objective.goal === 'minimize' ? -v : v));
}

/** Inputs scaled to the unit cube by each parameter's range (what the reference peer is given). */
export function unitInputs(dataset: PoolDataset): number[][] {
  return dataset.inputs.map((x) => x.map((v, j) => (v - dataset.parameters[j].min!) / (dataset.parameters[j].max! - dataset.parameters[j].min!)));
}

/** The two distinct random initial candidates of a seed, shared by every strategy of that seed. */
export function initialPicks(size: number, seed: number): [number, number] {
  const rng = createRandom(1_000_003 * (seed + 1));
  const first = rng.integer(size);
  let second = rng.integer(size - 1);
  if (second >= first) second++;
  return [first, second];
}
