/**
 * Structure drawings (SVG) and names of molecules for the browser app. Drawn on the server with RDKit, so the browser
 * never downloads RDKit's 7 MB WebAssembly build; drawings and refusals are cached per (SMILES, size) within a byte
 * budget.
 */
import { drawMoleculeSvg, MAX_DRAWN_HEAVY_ATOMS, MoleculeTooLargeError } from '../chem/draw.js';
import { canonicalizeSmiles, InvalidSmilesError } from '../chem/featurize.js';
import { createRDKitModule, type RDKitModule } from '../chem/rdkit.js';
import { loadMgCorrosionRecords } from '../demo/mg-corrosion.js';
import { InvalidError } from '../domain/errors.js';

/** Longest SMILES drawn: the same cap as a sample's SMILES at import. */
export const MAX_DRAWN_SMILES_LENGTH = 2000;
/** Smallest and largest drawing side, CSS pixels. */
export const MIN_DRAWING_SIZE = 16;
export const MAX_DRAWING_SIZE = 512;
/**
 * Characters (about bytes) of drawings and refusals kept in memory; the least recently used go first. A drawing is
 * 2–60 kB (150 heavy atoms at 512 px), so this keeps at least ~500 of the largest and thousands of usual ones.
 */
const CACHE_BUDGET_CHARS = 32 * 1024 * 1024;

/** One molecule's drawing and what is known about it. */
export interface MoleculeDrawing {
  /** RDKit's canonical SMILES. */
  canonicalSmiles: string;
  /** A name from the service's reference data (the ExCorr Mg corrosion records), or null when none is known. */
  name: string | null;
  /** An SVG document of size × size pixels. */
  svg: string;
}

/** Why a SMILES is not drawn: the 422 it answers, kept so a repeated request costs no RDKit work (nor a reload). */
interface Refusal {
  code: string;
  message: string;
}

type CacheEntry = { drawing: MoleculeDrawing; refusal?: undefined } | { refusal: Refusal; drawing?: undefined };

/** A least-recently-used map of drawings and refusals, bounded by their total size in characters. */
class DrawingCache {
  private readonly entries = new Map<string, { entry: CacheEntry; chars: number }>();
  private chars = 0;

  constructor(private readonly budgetChars: number) {}

  get(key: string): CacheEntry | undefined {
    const found = this.entries.get(key);
    if (!found) return undefined;
    this.entries.delete(key);
    this.entries.set(key, found);
    return found.entry;
  }

  set(key: string, entry: CacheEntry): void {
    const chars =
      key.length + (entry.drawing ? entry.drawing.svg.length + entry.drawing.canonicalSmiles.length + (entry.drawing.name?.length ?? 0) : entry.refusal.message.length);
    this.delete(key);
    this.entries.set(key, { entry, chars });
    this.chars += chars;
    for (const [oldest, { chars: size }] of this.entries) {
      if (this.chars <= this.budgetChars) break;
      this.entries.delete(oldest);
      this.chars -= size;
    }
  }

  private delete(key: string): void {
    const found = this.entries.get(key);
    if (!found) return;
    this.entries.delete(key);
    this.chars -= found.chars;
  }
}

let namesByCanonical: Map<string, string> | undefined;

/** Canonical SMILES → name, from the vendored Mg corrosion records (IUPAC names with common names), built once. */
function referenceNames(rdkit: RDKitModule): Map<string, string> {
  if (namesByCanonical) return namesByCanonical;
  const nameOfSmiles = new Map<string, string>();
  for (const record of loadMgCorrosionRecords()) {
    if (record.name.trim() !== '' && !nameOfSmiles.has(record.smiles)) nameOfSmiles.set(record.smiles, record.name.trim());
  }
  const names = new Map<string, string>();
  for (const [smiles, name] of nameOfSmiles) {
    try {
      const canonical = canonicalizeSmiles(rdkit, smiles);
      if (!names.has(canonical)) names.set(canonical, name);
    } catch (err) {
      if (!(err instanceof InvalidSmilesError)) throw err;
    }
  }
  namesByCanonical = names;
  return names;
}

/** The SMILES as shown in a message: quoted, and cut at 80 characters. */
function shownSmiles(smiles: string): string {
  return JSON.stringify(smiles.length > 80 ? `${smiles.slice(0, 80)}…` : smiles);
}

/** Draws one molecule, or says why not: RDKit cannot read it, it is too large, or RDKit failed on it. */
function drawOrRefuse(rdkit: RDKitModule, smiles: string, size: number): CacheEntry {
  const names = referenceNames(rdkit);
  try {
    // Drawn first: it checks the atom count before RDKit does any real work on a large molecule.
    const svg = drawMoleculeSvg(rdkit, smiles, size);
    const canonicalSmiles = canonicalizeSmiles(rdkit, smiles);
    return { drawing: { canonicalSmiles, name: names.get(canonicalSmiles) ?? null, svg } };
  } catch (err) {
    if (err instanceof InvalidSmilesError) return { refusal: { code: 'invalid_smiles', message: `RDKit cannot read the SMILES ${shownSmiles(smiles)}` } };
    if (err instanceof MoleculeTooLargeError) {
      return {
        refusal: {
          code: 'molecule_too_large',
          message: `the SMILES ${shownSmiles(smiles)} has ${err.heavyAtoms} heavy atoms; structures of at most ${MAX_DRAWN_HEAVY_ATOMS} are drawn (larger ones are unreadable at this size)`,
        },
      };
    }
    // Anything else came out of RDKit's WebAssembly (a trap, or a C++ exception that is not an Error at all): the
    // caller replaces the module. The molecule's problem, not the service's.
    return { refusal: { code: 'smiles_not_drawable', message: `RDKit failed to draw the SMILES ${shownSmiles(smiles)}` } };
  }
}

/** Drawings over an RDKit module of their own, with their cache. */
export class MoleculeDrawings {
  private readonly cache: DrawingCache;
  // Not the featurizer's module: a molecule that makes RDKit throw mid-drawing (a WebAssembly trap, or a C++
  // exception that is not an Error at all) leaves the module's memory corrupt, and only this one is then replaced.
  private module: Promise<RDKitModule> | null = null;

  /** `startRDKit` starts a new RDKit module; `budgetChars` bounds the cache. */
  constructor(
    private readonly startRDKit: () => Promise<RDKitModule> = createRDKitModule,
    budgetChars = CACHE_BUDGET_CHARS,
  ) {
    this.cache = new DrawingCache(budgetChars);
  }

  /**
   * The drawing of one molecule at `size` px (the route keeps both within the limits above); a SMILES that RDKit
   * cannot read, that is too large or that RDKit fails on is a 422.
   */
  async draw(smiles: string, size: number): Promise<MoleculeDrawing> {
    // A refusal does not depend on the size, so it is kept once per SMILES.
    const refusalKey = `refusal\u0000${smiles}`;
    const drawingKey = `${size}\u0000${smiles}`;
    let entry = this.cache.get(refusalKey) ?? this.cache.get(drawingKey);
    if (!entry) {
      const rdkit = await this.currentRDKit();
      entry = drawOrRefuse(rdkit, smiles, size);
      if (entry.refusal?.code === 'smiles_not_drawable') this.module = null;
      this.cache.set(entry.drawing ? drawingKey : refusalKey, entry);
    }
    if (entry.refusal) throw new InvalidError(entry.refusal.code, entry.refusal.message);
    return entry.drawing;
  }

  /** The current module, started on first use; never one that a concurrent request discarded meanwhile. */
  private async currentRDKit(): Promise<RDKitModule> {
    for (;;) {
      this.module ??= this.startRDKit().catch((error: unknown) => {
        // A failed start is not kept, so a later request retries.
        this.module = null;
        throw error;
      });
      const loading = this.module;
      const rdkit = await loading;
      if (loading === this.module) return rdkit;
    }
  }
}

const shared = new MoleculeDrawings();

/** The drawing of one molecule at `size` px, from the service's shared drawings (see MoleculeDrawings.draw). */
export function moleculeDrawing(smiles: string, size: number): Promise<MoleculeDrawing> {
  return shared.draw(smiles, size);
}
