import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, NetworkError } from '../../../../../../frontend/src/lib/api/errors.js';
import type { Parameter } from '../../../../../../frontend/src/lib/api/types.js';
import { drawingSide, moleculeDrawingUrl } from '../../../../../../frontend/src/lib/components/molecules/drawings.js';
import { moleculeParameterNames } from '../../../../../../frontend/src/lib/components/molecules/molecule-parameters.js';

describe('which parameters hold molecules', () => {
  const molecule: Parameter = { name: 'molecule', type: 'categorical', choices: ['CCO', 'c1ccccc1'] };
  const solvent: Parameter = { name: 'solvent', type: 'categorical', choices: ['DMF', 'THF'] };
  const dose: Parameter = { name: 'dose', type: 'continuous', min: 0, max: 1 };

  it('is a categorical parameter whose value is the sample’s own SMILES', () => {
    const samples = [
      { params: { molecule: 'CCO', solvent: 'DMF', dose: 0.5 }, smiles: 'CCO' },
      { params: { molecule: 'c1ccccc1', solvent: 'THF', dose: 0.1 }, smiles: 'c1ccccc1' },
      { params: { molecule: 'CCO', solvent: 'THF', dose: 0.2 }, smiles: null },
    ];
    expect([...moleculeParameterNames([molecule, solvent, dose], samples)]).toEqual(['molecule']);
  });

  it('is none without SMILES in the data, or when a sample’s value differs from its SMILES', () => {
    expect(moleculeParameterNames([molecule], [{ params: { molecule: 'CCO' }, smiles: null }]).size).toBe(0);
    expect(moleculeParameterNames([molecule], [{ params: { molecule: 'CCO' }, smiles: 'CCO' }, { params: { molecule: 'CCO' }, smiles: 'CCN' }]).size).toBe(0);
  });
});

describe('molecule drawings', () => {
  beforeEach(() => {
    let next = 0;
    vi.stubGlobal('URL', { createObjectURL: () => `blob:drawing-${next++}` });
  });
  afterEach(() => vi.unstubAllGlobals());

  it('asks for a whole number of pixels within the server’s 16–512', () => {
    expect(drawingSide(55.6)).toBe(56);
    expect(drawingSide(4)).toBe(16);
    expect(drawingSide(2000)).toBe(512);
  });

  it('fetches each SMILES and size once, and keeps the name the service gives', async () => {
    const moleculeDrawing = vi.fn(async () => ({ svg: new Blob(['<svg/>']), name: 'Acetic acid' }));
    const first = await moleculeDrawingUrl({ moleculeDrawing }, 'CC(=O)O', 48);
    const again = await moleculeDrawingUrl({ moleculeDrawing }, 'CC(=O)O', 48);
    expect(first).toEqual({ url: 'blob:drawing-0', name: 'Acetic acid' });
    expect(again).toBe(first);
    expect(moleculeDrawing).toHaveBeenCalledTimes(1);
    await moleculeDrawingUrl({ moleculeDrawing }, 'CC(=O)O', 96);
    expect(moleculeDrawing).toHaveBeenCalledTimes(2);
  });

  it('answers null for a SMILES the service refuses (once), and tries again after a network failure', async () => {
    const refused = vi.fn(async () => Promise.reject(new ApiError(422, 'invalid_smiles', 'RDKit cannot read the SMILES')));
    expect(await moleculeDrawingUrl({ moleculeDrawing: refused }, 'C1CC(', 48)).toBeNull();
    expect(await moleculeDrawingUrl({ moleculeDrawing: refused }, 'C1CC(', 48)).toBeNull();
    expect(refused).toHaveBeenCalledTimes(1);
    const offline = vi.fn(async () => Promise.reject(new NetworkError('Cannot reach the twinlab server')));
    expect(await moleculeDrawingUrl({ moleculeDrawing: offline }, 'CCN', 48)).toBeNull();
    expect(await moleculeDrawingUrl({ moleculeDrawing: offline }, 'CCN', 48)).toBeNull();
    expect(offline).toHaveBeenCalledTimes(2);
  });
});
