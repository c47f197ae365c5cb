// Molecule drawings for the page. The server draws with RDKit (the browser never loads RDKit's 7 MB WebAssembly
// build); <img src> cannot send the bearer token, so each drawing is fetched once with it and kept as an object URL
// for the rest of the session (a SMILES drawn at one size never changes). An SVG shown through <img> runs no script.
import type { ApiClient } from '../../api/client.js';
import { ApiError } from '../../api/errors.js';

/** A drawing ready for <img src>, with the service's name for the molecule (null when it knows none). */
export interface MoleculeDrawingUrl {
  url: string;
  name: string | null;
}

const cache = new Map<string, Promise<MoleculeDrawingUrl | null>>();

/** Side of the requested drawing: the shown size rounded to whole pixels and kept within the server's 16–512 px. */
export function drawingSide(size: number): number {
  return Math.min(512, Math.max(16, Math.round(size)));
}

/**
 * The drawing of `smiles` at `size` px, or null when the service cannot draw it (RDKit cannot read it: a 4xx, so the
 * page shows the SMILES as text). Network failures are not cached, so a later render tries again.
 */
export function moleculeDrawingUrl(api: Pick<ApiClient, 'moleculeDrawing'>, smiles: string, size: number): Promise<MoleculeDrawingUrl | null> {
  const side = drawingSide(size);
  const key = `${side}\u0000${smiles}`;
  let pending = cache.get(key);
  if (!pending) {
    pending = api.moleculeDrawing(smiles, side).then(
      ({ svg, name }) => ({ url: URL.createObjectURL(svg), name }),
      (error: unknown) => {
        if (!(error instanceof ApiError && error.status >= 400 && error.status < 500)) cache.delete(key);
        return null;
      },
    );
    cache.set(key, pending);
  }
  return pending;
}
