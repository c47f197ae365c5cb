import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import {
  MG_CORROSION_CSV,
  UnknownAlloyError,
  listMgAlloys,
  loadMgCorrosionPool,
  loadMgCorrosionRecords,
  mgCorrosionCampaign,
  mgCorrosionReference,
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
    expect(campaign.objectives).toEqual([{ name: 'IE', goal: 'maximize', unit: '%' }]);
  });
});
