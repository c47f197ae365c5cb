import { describe, expect, it } from 'vitest';
import { bald, voteEntropy } from '../../../acquisition/strategies/disagreement.js';

describe('BALD', () => {
  it('is zero when all members agree', () => {
    expect(bald([[0.7, 0.3], [0.7, 0.3], [0.7, 0.3]])).toBe(0);
  });

  it('is ln 2 for two confident members that disagree (the classic maximal case for 2 classes)', () => {
    expect(bald([[1, 0], [0, 1]])).toBeCloseTo(Math.log(2), 12);
  });

  it('is ln C when C one-hot members cover C classes', () => {
    expect(bald([[1, 0, 0], [0, 1, 0], [0, 0, 1]])).toBeCloseTo(Math.log(3), 12);
  });

  it('matches the hand-computed value for (0.9, 0.1) vs (0.1, 0.9)', () => {
    // H(0.5, 0.5) − H(0.9, 0.1) = ln 2 − (0.9 ln(1/0.9) + 0.1 ln 10) = 0.693147 − 0.325083
    expect(bald([[0.9, 0.1], [0.1, 0.9]])).toBeCloseTo(0.368064, 6);
  });

  it('is zero for members that are all uniform (aleatoric, not epistemic, uncertainty)', () => {
    expect(bald([[0.5, 0.5], [0.5, 0.5]])).toBe(0);
  });
});

describe('vote entropy', () => {
  it('matches the hand-computed value for votes (A, A, B)', () => {
    // −(2/3 ln 2/3 + 1/3 ln 1/3) = 0.270310 + 0.366204
    expect(voteEntropy([[0.8, 0.2], [0.6, 0.4], [0.3, 0.7]])).toBeCloseTo(0.636514, 6);
  });

  it('is zero for a unanimous committee and ln 2 for an even split', () => {
    expect(voteEntropy([[0.9, 0.1], [0.6, 0.4]])).toBe(0);
    expect(voteEntropy([[0.9, 0.1], [0.2, 0.8]])).toBeCloseTo(Math.log(2), 12);
  });

  it('breaks a tied argmax towards the lowest class', () => {
    // Member 0 ties between classes 0 and 1 and votes 0, so both vote 0.
    expect(voteEntropy([[0.5, 0.5], [0.9, 0.1]])).toBe(0);
  });
});
