/**
 * The Mg corrosion-inhibitor pool: real inhibition efficiencies from the ExCorr database (vendored in
 * data/mg-corrosion-mg.csv, see data/README.md for source, licence and citations). One pool item per (alloy,
 * molecule); "measuring" an item reveals its recorded IE, averaged over that pair's records (different
 * concentrations and repeats). IE is heavy-tailed: some molecules accelerate corrosion (IE down to about −280 %).
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

/** The pool for one alloy: one item per molecule, IE averaged over its records, in order of first appearance. */
export function loadMgCorrosionPool(alloy: string = DEFAULT_MG_ALLOY, csvPath: string = MG_CORROSION_CSV): MgCorrosionItem[] {
  const records = loadMgCorrosionRecords(csvPath).filter((r) => r.alloy === alloy);
  if (records.length === 0) throw new UnknownAlloyError(alloy, listMgAlloys(csvPath).map((a) => a.alloy));
  const byMolecule = new Map<string, MgCorrosionRecord[]>();
  for (const r of records) {
    const group = byMolecule.get(r.smiles);
    if (group) group.push(r);
    else byMolecule.set(r.smiles, [r]);
  }
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
  }));
}

/** Top-1% / top-5% IE thresholds of a pool (for ZE41's 105 molecules: the 2nd and the 6th best IE). */
export function mgCorrosionReference(pool: MgCorrosionItem[]): TopReference {
  return topReference(pool.map((item) => item.ie));
}

/** Parameter of a pool campaign: the molecule, as a categorical over the pool's canonical SMILES. */
function moleculeParameter(pool: MgCorrosionItem[]): Parameter {
  return { name: 'molecule', type: 'categorical', choices: pool.map((item) => item.smiles) };
}

export const MG_CORROSION_OBJECTIVES: Objective[] = [{ name: 'IE', goal: 'maximize', unit: '%' }];

/** The pool campaign definition for one alloy: pick the molecules that inhibit corrosion best. */
export function mgCorrosionCampaign(alloy: string = DEFAULT_MG_ALLOY, pool = loadMgCorrosionPool(alloy)): DemoCampaignDefinition {
  return {
    name: `Mg corrosion inhibitors (${alloy})`,
    description:
      `Pool of ${pool.length} molecules tested on Mg alloy ${alloy} (ExCorr database; Lamaka et al. 2017). ` +
      'Measuring a molecule reveals its recorded inhibition efficiency (IE, %, averaged over records). ' +
      'Molecules are featurized from SMILES with RDKit (descriptors and Morgan fingerprints).',
    parameters: [moleculeParameter(pool)],
    objectives: MG_CORROSION_OBJECTIVES,
    outcomes: ['IE'],
  };
}
