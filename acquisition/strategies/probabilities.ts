/** Validation of class-probability inputs: [item][class] from one classifier or [member][item][class] from an ensemble. */
import { LabelingInputError } from './errors.js';

/** How far a probability row may sum from 1 (float32 softmax outputs are off by ~1e-7 per class). */
export const ROW_SUM_TOLERANCE = 1e-4;

/** Validated probabilities as ensemble members (one member for a single classifier): members x items x classes. */
export interface ProbabilityTable {
  /** members[m][i][c]: probability of class c for item i under member m. */
  members: number[][][];
  /** True when the input was [member][item][class]. */
  isEnsemble: boolean;
  itemCount: number;
  classCount: number;
}

/** Checks shapes and values (finite, in [0, 1], rows sum to 1) and returns the probabilities as a member table. */
export function toProbabilityTable(probabilities: number[][] | number[][][]): ProbabilityTable {
  if (!Array.isArray(probabilities)) throw new LabelingInputError('probabilities must be an array');
  if (probabilities.length === 0) return { members: [[]], isEnsemble: false, itemCount: 0, classCount: 0 };
  const first = probabilities[0];
  if (!Array.isArray(first)) throw new LabelingInputError('probabilities must be [item][class] or [member][item][class]');
  const isEnsemble = first.length > 0 && Array.isArray(first[0]);
  const members = (isEnsemble ? probabilities : [probabilities]) as number[][][];
  const itemCount = members[0].length;
  const classCount = itemCount > 0 && Array.isArray(members[0][0]) ? members[0][0].length : 0;
  if (isEnsemble && classCount === 0 && itemCount > 0) throw new LabelingInputError('probabilities[0][0] has no classes');
  members.forEach((member, m) => checkMember(member, m, itemCount, classCount, isEnsemble));
  return { members, isEnsemble, itemCount, classCount };
}

/** Checks one member's [item][class] matrix against the expected sizes. */
function checkMember(member: unknown, m: number, itemCount: number, classCount: number, isEnsemble: boolean): void {
  const where = isEnsemble ? `member ${m}` : 'probabilities';
  if (!Array.isArray(member)) throw new LabelingInputError(`${where} must be an [item][class] array`);
  if (member.length !== itemCount) {
    throw new LabelingInputError(`${where} has ${member.length} items, member 0 has ${itemCount}`);
  }
  if (itemCount > 0 && classCount < 2) throw new LabelingInputError(`need at least 2 classes, got ${classCount}`);
  member.forEach((row: unknown, i: number) => checkRow(row, `${where}, item ${i}`, classCount));
}

/** Checks one probability row: right length, finite entries in [0, 1], sum within ROW_SUM_TOLERANCE of 1. */
function checkRow(row: unknown, where: string, classCount: number): void {
  if (!Array.isArray(row) || row.length !== classCount) {
    throw new LabelingInputError(`${where}: expected ${classCount} class probabilities`);
  }
  let sum = 0;
  for (const p of row) {
    if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 1) {
      throw new LabelingInputError(`${where}: probability ${String(p)} is not a number in [0, 1]`);
    }
    sum += p;
  }
  if (Math.abs(sum - 1) > ROW_SUM_TOLERANCE) throw new LabelingInputError(`${where}: probabilities sum to ${sum}, not 1`);
}

/** Predictive mean over members: p̄[i][c] = (1/M) Σ_m members[m][i][c]. */
export function meanOverMembers(table: ProbabilityTable): number[][] {
  const { members, itemCount, classCount } = table;
  if (members.length === 1) return members[0];
  const mean: number[][] = [];
  for (let i = 0; i < itemCount; i++) {
    const row = new Array<number>(classCount).fill(0);
    for (const member of members) for (let c = 0; c < classCount; c++) row[c] += member[i][c];
    for (let c = 0; c < classCount; c++) row[c] /= members.length;
    mean.push(row);
  }
  return mean;
}
