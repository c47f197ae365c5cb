/** GET /api/molecules/drawing: a molecule's 2-D structure as SVG, drawn by RDKit on the server, with its name if known. */
import { createRoute, z } from '@hono/zod-openapi';
import { MAX_DRAWN_HEAVY_ATOMS } from '../chem/draw.js';
import { MAX_DRAWING_SIZE, MAX_DRAWN_SMILES_LENGTH, MIN_DRAWING_SIZE, moleculeDrawing } from '../services/molecule-drawings.js';
import { createRouter, errorResponses } from './http.js';

const DrawingQuery = z.object({
  smiles: z.string().min(1).max(MAX_DRAWN_SMILES_LENGTH).openapi({ example: 'C/C(=C/C(=O)O)C(=O)O' }),
  // Plain decimal only: z.coerce would also take "0x20", "1e2" or " 64".
  size: z
    .string()
    .regex(/^[1-9]\d{0,2}$/, 'must be a whole number of pixels')
    .transform(Number)
    .pipe(z.number().min(MIN_DRAWING_SIZE).max(MAX_DRAWING_SIZE))
    .optional()
    .transform((size) => size ?? 120)
    .openapi({ description: `width and height of the drawing, pixels (${MIN_DRAWING_SIZE}–${MAX_DRAWING_SIZE}, default 120)`, example: '120' }),
});

/** The header that carries a known name, percent-encoded (names are not ASCII-only: "(Z)-…", "α-…"). */
export const MOLECULE_NAME_HEADER = 'x-twinlab-molecule-name';

/** Routes under /api/molecules. */
export function moleculeRoutes() {
  return createRouter().openapi(
    createRoute({
      method: 'get',
      path: '/drawing',
      tags: ['molecules'],
      summary: "A molecule's structure drawing (SVG), drawn by RDKit",
      description:
        'Answers image/svg+xml. Header X-Twinlab-Molecule-Name carries a name from the reference data (percent-encoded) when one is known; ' +
        'X-Twinlab-Canonical-Smiles the canonical SMILES. A SMILES that RDKit cannot read answers 422 invalid_smiles; one of more than ' +
        `${MAX_DRAWN_HEAVY_ATOMS} heavy atoms 422 molecule_too_large; one RDKit fails to draw 422 smiles_not_drawable.`,
      request: { query: DrawingQuery },
      responses: { 200: { description: 'The drawing', content: { 'image/svg+xml': { schema: z.string() } } }, ...errorResponses(400, 401, 422) },
    }),
    async (c) => {
      const { smiles, size } = c.req.valid('query');
      const drawing = await moleculeDrawing(smiles, size);
      return c.body(drawing.svg, 200, {
        'content-type': 'image/svg+xml',
        // The drawing of a SMILES at a size never changes while the service runs one RDKit version.
        'cache-control': 'private, max-age=86400',
        'x-twinlab-canonical-smiles': encodeURIComponent(drawing.canonicalSmiles),
        ...(drawing.name === null ? {} : { [MOLECULE_NAME_HEADER]: encodeURIComponent(drawing.name) }),
      });
    },
  );
}
