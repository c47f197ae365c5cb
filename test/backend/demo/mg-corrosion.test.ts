import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import {
  MG_CORROSION_CSV,
  MG_CORROSION_MODEL_FEATURES,
  UnknownAlloyError,
  listMgAlloys,
  loadMgCorrosionPool,
  loadMgCorrosionRecords,
  mgCorrosionCampaign,
  mgCorrosionCandidates,
  mgCorrosionReference,
  otherAlloyEvidence,
  type MgCorrosionRecord,
} from '../../../backend/demo/mg-corrosion.js';

/** Rows of the vendored CSV, parsed here without the module under test. */
const rawRows = parse(readFileSync(MG_CORROSION_CSV), { columns: true }) as Record<string, string>[];

describe('Mg corrosion pool', () => {
  it('vendors all 1,212 Mg records', () => {
    expect(rawRows).toHaveLength(1212);
    expect(loadMgCorrosionRecords()).toHaveLength(1212);
  });

  it('has one ZE41 item per distinct molecule (105, as in the published sample counts)', () => {
    const distinct = new Set(rawRows.filter((r) => r.Alloy === 'ZE41').map((r) => r.canonical_SMILES));
    const pool = loadMgCorrosionPool('ZE41');
    expect(pool).toHaveLength(distinct.size);
    expect(pool).toHaveLength(105);
    expect(new Set(pool.map((item) => item.id)).size).toBe(105);
  });

  it('averages IE over a molecule’s records (hand-computed from the file)', () => {
    const pool = loadMgCorrosionPool('ZE41');
    const benzotriazole = pool.find((item) => item.smiles === 'c1ccc2n[nH]nc2c1');
    expect(benzotriazole?.ieRecords).toEqual([-108, -74, -63, -19]);
    expect(benzotriazole?.ie).toBe(-66);
    expect(benzotriazole?.concentrationsMm).toEqual([50, 20, 5, 0.5]);
    const piperazine = pool.find((item) => item.smiles === 'C1CNCCN1');
    expect(piperazine?.ie).toBe(-116.5);
  });

  it('keeps the heavy negative tail of IE', () => {
    const ies = loadMgCorrosionPool('ZE41').map((item) => item.ie);
    expect(Math.min(...ies)).toBeLessThan(-200);
    expect(Math.max(...ies)).toBeLessThanOrEqual(100);
  });

  it('lists alloys with record and molecule counts', () => {
    const alloys = listMgAlloys();
    expect(alloys.find((a) => a.alloy === 'ZE41')).toEqual({ alloy: 'ZE41', records: 123, molecules: 105 });
    expect(alloys[0].alloy).toBe('CPMg220ppmFe');
    expect(alloys.reduce((s, a) => s + a.records, 0)).toBe(1212);
  });

  it('refuses an unknown alloy and names the available ones', () => {
    expect(() => loadMgCorrosionPool('Unobtainium')).toThrow(UnknownAlloyError);
    expect(() => loadMgCorrosionPool('Unobtainium')).toThrow(/AZ31/);
  });

  it('gives top-1%/5% thresholds as the 2nd and 6th best of 105', () => {
    const pool = loadMgCorrosionPool('ZE41');
    const sorted = pool.map((item) => item.ie).sort((a, b) => b - a);
    const reference = mgCorrosionReference(pool);
    expect(reference.best).toBe(sorted[0]);
    expect(reference.top1).toBe(sorted[1]);
    expect(reference.top5).toBe(sorted[5]);
  });

  it('defines a pool campaign over the molecules with IE to maximize', () => {
    const campaign = mgCorrosionCampaign('AZ31');
    expect(campaign.parameters[0].choices).toHaveLength(104);
    // IE = (1 − CR/CR₀)·100 % is at most 100 % (CR ≥ 0); unbounded below.
    expect(campaign.objectives).toEqual([{ name: 'IE', goal: 'maximize', unit: '%', upperBound: 100 }]);
    // Every record of the vendored table respects it, so posting the pool's values is never refused.
    expect(Math.max(...loadMgCorrosionRecords().map((r) => r.ie).filter(Number.isFinite))).toBeLessThanOrEqual(100);
  });
});

/** A minimal record for hand-made evidence tests. */
function record(alloy: string, smiles: string, ie: number): MgCorrosionRecord {
  return { sourceRow: 0, alloy, smiles, name: smiles, method: 'H2 evolution', aggressiveComponent: 'NaCl', concentrationMm: 50, ie, year: 2017, reference: 'test' };
}

describe('other-alloy evidence', () => {
  it('averages each other alloy first, then across alloys, and gives the spread between alloys', () => {
    const records = [record('T', 'X', 100), record('B', 'X', 10), record('B', 'X', 30), record('C', 'X', 40)];
    // B's two records average to 20; with C's 40 the alloy means are 20 and 40: mean 30, population SD 10.
    expect(otherAlloyEvidence(records, 'T', ['X']).get('X')).toEqual({ otherAlloyIE: 30, otherAlloySpread: 10, otherAlloyCount: 2 });
  });

  it('never uses the target alloy’s records: changing them changes nothing', () => {
    const records = loadMgCorrosionRecords();
    const smiles = loadMgCorrosionPool('ZE41').map((item) => item.smiles);
    const before = otherAlloyEvidence(records, 'ZE41', smiles);
    const tampered = records.map((r) => (r.alloy === 'ZE41' ? { ...r, ie: 1000 } : r));
    const extra = [...tampered, record('ZE41', smiles[0], -500)];
    expect(otherAlloyEvidence(extra, 'ZE41', smiles)).toEqual(before);
  });

  it('imputes the pool’s average for a molecule known only on the target alloy, flagged by a zero count', () => {
    const records = [record('T', 'X', 90), record('B', 'X', 10), record('C', 'X', 30), record('B', 'Y', 50), record('T', 'Z', 99)];
    const evidence = otherAlloyEvidence(records, 'T', ['X', 'Y', 'Z']);
    expect(evidence.get('X')).toEqual({ otherAlloyIE: 20, otherAlloySpread: 10, otherAlloyCount: 2 });
    expect(evidence.get('Y')).toEqual({ otherAlloyIE: 50, otherAlloySpread: 0, otherAlloyCount: 1 });
    expect(evidence.get('Z')).toEqual({ otherAlloyIE: 35, otherAlloySpread: 5, otherAlloyCount: 0 });
  });

  it('matches a hand computation from the raw file for benzotriazole on ZE41', () => {
    const rows = rawRows.filter((r) => r.canonical_SMILES === 'c1ccc2n[nH]nc2c1' && r.Alloy !== 'ZE41');
    const byAlloy = new Map<string, number[]>();
    for (const r of rows) byAlloy.set(r.Alloy, [...(byAlloy.get(r.Alloy) ?? []), Number(r.IE)]);
    const means = [...byAlloy.values()].map((v) => v.reduce((a, b) => a + b, 0) / v.length);
    const item = loadMgCorrosionPool('ZE41').find((it) => it.smiles === 'c1ccc2n[nH]nc2c1')!;
    expect(item.otherAlloys.otherAlloyCount).toBe(byAlloy.size);
    expect(item.otherAlloys.otherAlloyIE).toBeCloseTo(means.reduce((a, b) => a + b, 0) / means.length, 10);
    expect(byAlloy.has('ZE41')).toBe(false);
  });

  it('has evidence from at least three other alloys for every ZE41 molecule', () => {
    const counts = loadMgCorrosionPool('ZE41').map((item) => item.otherAlloys.otherAlloyCount);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(3);
    expect(Math.max(...counts)).toBeLessThanOrEqual(listMgAlloys().length - 1);
  });

  it('ranks ZE41 molecules much like their ZE41 IE (the reason the demo model uses it)', () => {
    const pool = loadMgCorrosionPool('ZE41');
    const x = pool.map((item) => item.otherAlloys.otherAlloyIE);
    const y = pool.map((item) => item.ie);
    const mx = x.reduce((a, b) => a + b, 0) / x.length;
    const my = y.reduce((a, b) => a + b, 0) / y.length;
    const cov = x.reduce((s, v, i) => s + (v - mx) * (y[i] - my), 0);
    const r = cov / Math.sqrt(x.reduce((s, v) => s + (v - mx) ** 2, 0) * y.reduce((s, v) => s + (v - my) ** 2, 0));
    expect(r).toBeGreaterThan(0.7);
  });

  it('gives candidates the evidence as features, every model feature among them', () => {
    const pool = loadMgCorrosionPool('ZE41');
    const candidates = mgCorrosionCandidates(pool);
    expect(candidates).toHaveLength(105);
    expect(candidates[0]).toEqual({ params: { molecule: pool[0].smiles }, smiles: pool[0].smiles, externalId: pool[0].id, features: pool[0].otherAlloys });
    for (const name of MG_CORROSION_MODEL_FEATURES) expect(Object.keys(candidates[0].features)).toContain(name);
    expect(mgCorrosionCampaign('ZE41', pool).description).toContain('own records never enter these features');
  });
});
