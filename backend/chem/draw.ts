/** 2-D structure drawings of molecules with RDKit MinimalLib's SVG renderer (RDKit's own depiction and layout). */
import { InvalidSmilesError } from './featurize.js';
import type { RDKitModule } from './rdkit.js';

/**
 * Most heavy atoms drawn. Inhibitors, monomers and additives in materials data sets have well under 100; a drawing of
 * more is an unreadable tangle at card size, costs seconds of CPU and 100+ kB of SVG, and RDKit's WebAssembly build
 * traps (corrupting its module) on some molecules of several hundred atoms.
 */
export const MAX_DRAWN_HEAVY_ATOMS = 150;

/** RDKit parsed the molecule, but it has more heavy atoms than MAX_DRAWN_HEAVY_ATOMS. */
export class MoleculeTooLargeError extends Error {
  override name = 'MoleculeTooLargeError';
  constructor(readonly heavyAtoms: number) {
    super(`the molecule has ${heavyAtoms} heavy atoms; at most ${MAX_DRAWN_HEAVY_ATOMS} are drawn`);
  }
}

/**
 * Draws one molecule as an SVG document of `size` × `size` pixels on a transparent background. Throws
 * InvalidSmilesError when RDKit cannot parse `smiles` (an empty string included), MoleculeTooLargeError above
 * MAX_DRAWN_HEAVY_ATOMS; anything else RDKit throws (a WebAssembly trap or exception) goes through unchanged.
 */
export function drawMoleculeSvg(rdkit: RDKitModule, smiles: string, size: number): string {
  const mol = smiles.trim() === '' ? null : rdkit.get_mol(smiles);
  if (mol === null) throw new InvalidSmilesError(smiles);
  try {
    if (!mol.is_valid()) throw new InvalidSmilesError(smiles);
    const heavyAtoms = mol.get_num_atoms(true);
    if (heavyAtoms > MAX_DRAWN_HEAVY_ATOMS) throw new MoleculeTooLargeError(heavyAtoms);
    // Transparent, so the drawing sits on the card or table row behind it; RDKit picks the atom colours.
    return mol.get_svg_with_highlights(JSON.stringify({ width: size, height: size, clearBackground: false }));
  } finally {
    mol.delete();
  }
}
