import { describe, expect, it } from 'vitest';
import { drawMoleculeSvg, MAX_DRAWN_HEAVY_ATOMS, MoleculeTooLargeError } from '../../../backend/chem/draw.js';
import { InvalidSmilesError } from '../../../backend/chem/featurize.js';
import { loadRDKit } from '../../../backend/chem/rdkit.js';

describe('molecule drawings', () => {
  it('draws a molecule as a standalone SVG of the asked size, with no script in it', async () => {
    const rdkit = await loadRDKit();
    const svg = drawMoleculeSvg(rdkit, 'c1ccccc1C(=O)O', 80);
    expect(svg).toMatch(/<svg[^>]*width='80px' height='80px'/);
    // One path per bond at least: benzoic acid has 9.
    expect(svg.match(/<path class='bond-/g)?.length ?? 0).toBeGreaterThanOrEqual(9);
    expect(svg).not.toMatch(/<script|on\w+=/i);
  });

  it('refuses what RDKit cannot parse, an empty string included', async () => {
    const rdkit = await loadRDKit();
    expect(() => drawMoleculeSvg(rdkit, 'C1CC(', 80)).toThrow(InvalidSmilesError);
    expect(() => drawMoleculeSvg(rdkit, '  ', 80)).toThrow(InvalidSmilesError);
  });

  it('refuses a molecule of more heavy atoms than the cap before drawing it; explicit hydrogens do not count', async () => {
    const rdkit = await loadRDKit();
    expect(drawMoleculeSvg(rdkit, 'C'.repeat(MAX_DRAWN_HEAVY_ATOMS), 64)).toContain('<svg');
    expect(drawMoleculeSvg(rdkit, `[H]${'C'.repeat(MAX_DRAWN_HEAVY_ATOMS)}`, 64)).toContain('<svg');
    expect(() => drawMoleculeSvg(rdkit, 'C'.repeat(MAX_DRAWN_HEAVY_ATOMS + 1), 64)).toThrow(MoleculeTooLargeError);
  });
});
