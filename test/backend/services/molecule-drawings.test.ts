import { describe, expect, it } from 'vitest';
import { createRDKitModule, type RDKitModule } from '../../../backend/chem/rdkit.js';
import { InvalidError } from '../../../backend/domain/errors.js';
import { MoleculeDrawings } from '../../../backend/services/molecule-drawings.js';

/** The SMILES the fake module fails on, the way RDKit's WebAssembly does: by throwing something that is no Error. */
const FAILING = 'CCCCCCN';

/** RDKit modules whose drawing of FAILING throws a non-Error (like a WebAssembly.Exception); counts how many started. */
function failingModules(): { start: () => Promise<RDKitModule>; started: () => number } {
  let started = 0;
  return {
    started: () => started,
    async start() {
      started += 1;
      const real = await createRDKitModule();
      const fake = Object.create(real) as RDKitModule;
      // The drawing service only ever calls get_mol(smiles).
      fake.get_mol = (smiles: Parameters<RDKitModule['get_mol']>[0]) => {
        const mol = real.get_mol(smiles);
        if (mol && smiles === FAILING) {
          mol.get_svg_with_highlights = () => {
            throw { wasm: 'exception' };
          };
        }
        return mol;
      };
      return fake;
    },
  };
}

async function refusal(promise: Promise<unknown>): Promise<InvalidError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InvalidError);
  return err as InvalidError;
}

describe('MoleculeDrawings', () => {
  it('turns anything RDKit throws into a 422, then draws on a fresh module; the refusal is remembered', async () => {
    const modules = failingModules();
    const drawings = new MoleculeDrawings(modules.start);
    expect((await drawings.draw('CCO', 64)).svg).toContain('<svg');
    expect(modules.started()).toBe(1);

    const err = await refusal(drawings.draw(FAILING, 64));
    expect(err.code).toBe('smiles_not_drawable');
    expect(err.message).toContain(FAILING);
    // The failed module is dropped: the next drawing (not cached) starts a fresh one and succeeds.
    expect((await drawings.draw('CCN', 64)).canonicalSmiles).toBe('CCN');
    expect(modules.started()).toBe(2);
    // Asking again, at any size, answers the remembered refusal without touching RDKit (no module reload).
    expect((await refusal(drawings.draw(FAILING, 200))).code).toBe('smiles_not_drawable');
    expect(modules.started()).toBe(2);
  });

  it('remembers an unreadable SMILES and keeps the cache within its budget', async () => {
    const modules = failingModules();
    // Room for about two small drawings.
    const drawings = new MoleculeDrawings(modules.start, 5000);
    expect((await refusal(drawings.draw('C1CC(', 64))).code).toBe('invalid_smiles');
    const first = await drawings.draw('CCO', 64);
    expect(await drawings.draw('CCO', 64)).toBe(first);
    for (const smiles of ['CCC', 'CCCC', 'CCCCC']) await drawings.draw(smiles, 64);
    // Evicted: drawn anew (an equal SVG, another object).
    const again = await drawings.draw('CCO', 64);
    expect(again).not.toBe(first);
    expect(again.svg).toBe(first.svg);
  });
});
