/**
 * The Mg corrosion-inhibitor pool: real inhibition efficiencies from the ExCorr database (vendored in
 * data/mg-corrosion-mg.csv, see data/README.md for source, licence and citations). One pool item per (alloy,
 * molecule); "measuring" an item reveals its recorded IE, averaged over that pair's records (different
 * concentrations and repeats). IE is heavy-tailed: some molecules accelerate corrosion (IE down to about −280 %).
 *
 * The model sees each molecule through what the literature already says about it on the OTHER Mg alloys of the data
 * set (the transfer idea of CrossAlloyTL): a lab about to screen inhibitors on ZE41 knows the published results on
 * AZ31, WE43, pure Mg and so on. The target alloy's own records never enter these features; they are the answer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';
import { parse } from 'csv-parse/sync';
import type { Objective, Parameter } from '../../acquisition/types.js';
import { topReference, type TopReference } from './benchmark-reference.js';
import { InvalidDemoInputError, type DemoCampaignDefinition } from './types.js';

/** Path of the vendored Mg rows of ExCorrDatasetClean.csv. */
// From the package root, so the compiled dist/ build finds the data beside the sources.
export const MG_CORROSION_CSV = join(packageRoot, 'backend', 'demo', 'data', 'mg-corrosion-mg.csv');

export const DEFAULT_MG_ALLOY = 'ZE41';

/** One record of the vendored CSV. */
export interface MgCorrosionRecord {
  sourceRow: number;
  alloy: string;
  smiles: string;
  name: string;
  method: string;
  aggressiveComponent: string;
  concentrationMm: number;
  ie: number;
  year: number;
  reference: string;
}

/** One pool item: a molecule tested on an alloy, with its IE averaged over records. */
export interface MgCorrosionItem {
  /** Stable external id, `alloy:canonical SMILES`. */
  id: string;
  alloy: string;
  /** Canonical SMILES as published (input to the RDKit featurizer). */
  smiles: string;
  /** IUPAC name with common names. */
  name: string;
  /** Mean inhibition efficiency over the records, % (the outcome, to maximize). */
  ie: number;
  /** The individual records' IE values, in file order. */
  ieRecords: number[];
  /** Operating concentrations of the records, mM, in file order. */
  concentrationsMm: number[];
  /** Distinct test methods and corrosive media of the records, joined with "; ". */
  method: string;
  aggressiveComponent: string;
  /** Earliest publication year among the records. */
  year: number;
  /** The molecule's recorded IE on the other Mg alloys (never this alloy's records). */
  otherAlloys: OtherAlloyEvidence;
}

/**
 * What the data set records about a molecule on Mg alloys other than the target. Per-alloy means first, so an alloy
 * tested at many concentrations counts once. Names are the sample feature names the demo imports.
 */
export interface OtherAlloyEvidence {
  /** Mean over the other alloys of each alloy's mean IE, %; imputed (see otherAlloyCount) when there is none. */
  otherAlloyIE: number;
  /** Population standard deviation of those per-alloy means, %: how consistently the molecule acts across alloys. */
  otherAlloySpread: number;
  /** Other Mg alloys with records of the molecule; 0 marks imputed IE and spread (the pool's averages). */
  otherAlloyCount: number;
}

/** Records and molecules available for one alloy. */
export interface MgAlloySummary {
  alloy: string;
  records: number;
  molecules: number;
}

/** Error for an alloy that the data set has no records for. */
export class UnknownAlloyError extends Error {
  override name = 'UnknownAlloyError';
  constructor(readonly alloy: string, readonly available: string[]) {
    super(`no Mg corrosion records for alloy "${alloy}"; available: ${available.join(', ')}`);
  }
}

const recordsCache = new Map<string, MgCorrosionRecord[]>();

/** Parses a finite number from a CSV cell, naming the row and column when it is not one. */
function numberCell(row: Record<string, string>, column: string): number {
  const value = Number(row[column]);
  if (row[column] === '' || !Number.isFinite(value)) {
    throw new InvalidDemoInputError(`mg-corrosion CSV row ${row.source_row}: ${column} = "${row[column]}" is not a number`);
  }
  return value;
}

/** All records of the vendored CSV (or of `csvPath`), parsed once per path. */
export function loadMgCorrosionRecords(csvPath: string = MG_CORROSION_CSV): MgCorrosionRecord[] {
  const cached = recordsCache.get(csvPath);
  if (cached) return cached;
  const rows = parse(readFileSync(csvPath), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  const records = rows.map((row) => ({
    sourceRow: numberCell(row, 'source_row'),
    alloy: row.Alloy,
    smiles: row.canonical_SMILES,
    name: row.IUPAC,
    method: row.Method,
    aggressiveComponent: row.AggressiveComponent,
    concentrationMm: numberCell(row, 'Operating_Concentration_mM'),
    ie: numberCell(row, 'IE'),
    year: numberCell(row, 'Year'),
    reference: row.References,
  }));
  recordsCache.set(csvPath, records);
  return records;
}

/** Alloys with records, most records first. */
export function listMgAlloys(csvPath: string = MG_CORROSION_CSV): MgAlloySummary[] {
  const byAlloy = new Map<string, { records: number; molecules: Set<string> }>();
  for (const r of loadMgCorrosionRecords(csvPath)) {
    const entry = byAlloy.get(r.alloy) ?? { records: 0, molecules: new Set<string>() };
    entry.records++;
    entry.molecules.add(r.smiles);
    byAlloy.set(r.alloy, entry);
  }
  return [...byAlloy]
    .map(([alloy, e]) => ({ alloy, records: e.records, molecules: e.molecules.size }))
    .sort((a, b) => b.records - a.records || a.alloy.localeCompare(b.alloy));
}

/** Distinct values joined with "; ", in first-seen order. */
function distinctJoined(values: string[]): string {
  return [...new Set(values)].join('; ');
}

/** Records grouped by a key, groups and their members in first-seen order. */
function groupBy<K>(records: readonly MgCorrosionRecord[], key: (r: MgCorrosionRecord) => K): Map<K, MgCorrosionRecord[]> {
  const groups = new Map<K, MgCorrosionRecord[]>();
  for (const r of records) {
    const group = groups.get(key(r));
    if (group) group.push(r);
    else groups.set(key(r), [r]);
  }
  return groups;
}

/** Arithmetic mean of a non-empty list. */
function mean(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

/**
 * Other-alloy evidence for each of `smiles`, from the records of every Mg alloy except `targetAlloy`. Molecules
 * without such records get the average IE and spread of the molecules that have them, and a count of 0.
 */
export function otherAlloyEvidence(records: readonly MgCorrosionRecord[], targetAlloy: string, smiles: readonly string[]): Map<string, OtherAlloyEvidence> {
  // The filter is the whole leakage guard: nothing below sees the target alloy's records.
  const others = groupBy(records.filter((r) => r.alloy !== targetAlloy), (r) => r.smiles);
  const known = new Map<string, OtherAlloyEvidence>();
  for (const s of smiles) {
    const group = others.get(s);
    if (!group) continue;
    const alloyMeans = [...groupBy(group, (r) => r.alloy).values()].map((g) => mean(g.map((r) => r.ie)));
    const m = mean(alloyMeans);
    known.set(s, { otherAlloyIE: m, otherAlloySpread: Math.sqrt(mean(alloyMeans.map((v) => (v - m) ** 2))), otherAlloyCount: alloyMeans.length });
  }
  const evidence = [...known.values()];
  // A neutral prior for unknown molecules: the pool's typical evidence, flagged by the zero count.
  const imputed: OtherAlloyEvidence = {
    otherAlloyIE: evidence.length > 0 ? mean(evidence.map((e) => e.otherAlloyIE)) : 0,
    otherAlloySpread: evidence.length > 0 ? mean(evidence.map((e) => e.otherAlloySpread)) : 0,
    otherAlloyCount: 0,
  };
  return new Map(smiles.map((s) => [s, known.get(s) ?? imputed]));
}

/** The pool for one alloy: one item per molecule, IE averaged over its records, in order of first appearance. */
export function loadMgCorrosionPool(alloy: string = DEFAULT_MG_ALLOY, csvPath: string = MG_CORROSION_CSV): MgCorrosionItem[] {
  const all = loadMgCorrosionRecords(csvPath);
  const records = all.filter((r) => r.alloy === alloy);
  if (records.length === 0) throw new UnknownAlloyError(alloy, listMgAlloys(csvPath).map((a) => a.alloy));
  const byMolecule = groupBy(records, (r) => r.smiles);
  const evidence = otherAlloyEvidence(all, alloy, [...byMolecule.keys()]);
  return [...byMolecule].map(([smiles, group]) => ({
    id: `${alloy}:${smiles}`,
    alloy,
    smiles,
    name: group[0].name,
    ie: group.reduce((sum, r) => sum + r.ie, 0) / group.length,
    ieRecords: group.map((r) => r.ie),
    concentrationsMm: group.map((r) => r.concentrationMm),
    method: distinctJoined(group.map((r) => r.method)),
    aggressiveComponent: distinctJoined(group.map((r) => r.aggressiveComponent)),
    year: Math.min(...group.map((r) => r.year)),
    otherAlloys: evidence.get(smiles)!,
  }));
}

// A type alias, not an interface, so that it fits the simulator's Record<string, unknown> candidates.
/** A pool item as a sample to import: the molecule, its SMILES (RDKit adds descriptors) and its other-alloy evidence. */
export type MgCorrosionCandidate = {
  params: { molecule: string };
  smiles: string;
  externalId: string;
  features: Record<string, number>;
};

/** The pool as samples to import, in pool order. */
export function mgCorrosionCandidates(pool: readonly MgCorrosionItem[]): MgCorrosionCandidate[] {
  return pool.map((item) => ({ params: { molecule: item.smiles }, smiles: item.smiles, externalId: item.id, features: { ...item.otherAlloys } }));
}

/** Top-1% / top-5% IE thresholds of a pool (for ZE41's 105 molecules: the 2nd and the 6th best IE). */
export function mgCorrosionReference(pool: MgCorrosionItem[]): TopReference {
  return topReference(pool.map((item) => item.ie));
}

/** Parameter of a pool campaign: the molecule, as a categorical over the pool's canonical SMILES. */
function moleculeParameter(pool: MgCorrosionItem[]): Parameter {
  return { name: 'molecule', type: 'categorical', choices: pool.map((item) => item.smiles) };
}

/** IE = (1 − CR/CR₀)·100 % with a corrosion rate CR ≥ 0: at most 100 %, unbounded below (accelerated corrosion). */
export const MG_CORROSION_OBJECTIVES: Objective[] = [{ name: 'IE', goal: 'maximize', unit: '%', upperBound: 100 }];

/**
 * The features the demo's surrogate uses: the other-alloy mean and spread. Chosen over RDKit descriptors, Morgan
 * fingerprint components and functional-group counts by 10-fold cross-validation of the GP on ZE41 (R² ≈ 0.69 vs.
 * ≤ 0.03 for descriptors and fingerprints, 0.36 for functional groups, and no gain from adding those to the two).
 * Two features also keep the space-filling start (2·d + 1 experiments) short. otherAlloyCount is left out: it says
 * how much evidence there is, not which way it points, and every ZE41 molecule has some.
 */
export const MG_CORROSION_MODEL_FEATURES = ['otherAlloyIE', 'otherAlloySpread'];

/** The pool campaign definition for one alloy: pick the molecules that inhibit corrosion best. */
export function mgCorrosionCampaign(alloy: string = DEFAULT_MG_ALLOY, pool = loadMgCorrosionPool(alloy)): DemoCampaignDefinition {
  const withEvidence = pool.filter((item) => item.otherAlloys.otherAlloyCount > 0).length;
  const coverage = withEvidence === pool.length ? `All ${pool.length} molecules have` : `${withEvidence} of the ${pool.length} molecules have`;
  return {
    name: `Mg corrosion inhibitors (${alloy})`,
    description: [
      `Pool of ${pool.length} molecules tested on Mg alloy ${alloy} (ExCorr database; Lamaka et al. 2017). ` +
        'Measuring a molecule reveals its recorded inhibition efficiency (IE, %, averaged over records).',
      'The model knows each molecule by what the database already records for it on the other Mg alloys, ' +
        'as a lab would from the literature before testing on a new alloy (transfer across alloys, as in ' +
        `CrossAlloyTL): otherAlloyIE, the mean IE over those alloys (each alloy's records averaged first), and ` +
        `otherAlloySpread, how much it varies between them. ${coverage} such records; otherAlloyCount says on how ` +
        `many alloys (0: none, the pool's averages stand in). ${alloy}'s own ` +
        'records never enter these features. Nearly all Mg records in the database, these and the ' +
        `${alloy} values alike, come from one screening study and method (Lamaka et al. 2017, hydrogen evolution), ` +
        'which is why they transfer so well; results from other labs and methods would transfer less.',
      'RDKit also adds 17 physico-chemical descriptors from each SMILES, for the insights view; the model leaves ' +
        'them out because on this data they do not predict IE (cross-validated R² about 0).',
    ].join('\n\n'),
    parameters: [moleculeParameter(pool)],
    objectives: MG_CORROSION_OBJECTIVES,
    outcomes: ['IE'],
  };
}
