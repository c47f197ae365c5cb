import { describe, expect, it } from 'vitest';
import { createHarness } from '../support.js';

const drawing = (smiles: string, size?: number) =>
  `/api/molecules/drawing?smiles=${encodeURIComponent(smiles)}${size === undefined ? '' : `&size=${size}`}`;

describe('GET /api/molecules/drawing', () => {
  it('draws a molecule as SVG of the asked size, with the name the reference data gives it', async () => {
    const h = createHarness();
    const before = await h.snapshot();
    // Citraconic acid as another spelling than the Mg corrosion data's: the name is found by canonical SMILES.
    const res = await h.call('GET', drawing('OC(=O)/C=C(/C)C(O)=O', 64), { role: 'expert' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/svg+xml');
    const svg = await res.text();
    expect(svg).toContain('<svg');
    expect(svg).toContain("width='64px'");
    // Bonds are drawn as paths; a drawing of a molecule has some.
    expect(svg.match(/<path/g)?.length ?? 0).toBeGreaterThan(5);
    expect(decodeURIComponent(res.headers.get('x-twinlab-molecule-name')!)).toContain('Citraconic acid');
    expect(decodeURIComponent(res.headers.get('x-twinlab-canonical-smiles')!)).toBe('C/C(=C/C(=O)O)C(=O)O');
    expect(res.headers.get('cache-control')).toContain('max-age');
    expect(await h.snapshot()).toBe(before);
  });

  it('answers without a name header for a molecule the reference data does not know', async () => {
    const h = createHarness();
    const res = await h.call('GET', drawing('CCCCCCCCCCCCCCCCCCCCO'));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-twinlab-molecule-name')).toBeNull();
    expect(await res.text()).toContain("width='120px'");
  });

  it('refuses what it cannot draw with a clear 4xx, never a 5xx', async () => {
    const h = createHarness();
    const before = await h.snapshot();
    const bad = await h.call('GET', drawing('C1CC(not a molecule'));
    expect(bad.status).toBe(422);
    expect((await bad.json()).error.code).toBe('invalid_smiles');
    const huge = await h.call('GET', drawing('C'.repeat(2001)));
    expect(huge.status).toBe(400);
    expect((await huge.json()).error.message).toMatch(/smiles/);
    for (const size of [8, 10_000, 1.5]) expect((await h.call('GET', drawing('CCO', size))).status).toBe(400);
    // Only plain decimal sizes: z.coerce would read these as 32, 100 and 64.
    for (const size of ['0x20', '1e2', '%2064', '064', '']) {
      expect((await h.call('GET', `/api/molecules/drawing?smiles=CCO&size=${size}`)).status, size).toBe(400);
    }
    expect((await h.call('GET', '/api/molecules/drawing')).status).toBe(400);
    expect((await h.call('GET', drawing('CCO'), { role: null })).status).toBe(401);
    expect(await h.snapshot()).toBe(before);
    // A refused request leaves the service able to draw.
    expect((await h.call('GET', drawing('CCO'))).status).toBe(200);
  });

  it('refuses a molecule too large to draw, and keeps drawing others', async () => {
    const h = createHarness();
    // 900 heavy atoms in 1,500 characters (within the SMILES cap): RDKit's WebAssembly build throws a
    // WebAssembly.Exception drawing it, which used to answer an empty 500 and break every later drawing.
    const branched = 'CC(C)'.repeat(300);
    for (const size of [120, 512, 120]) {
      const res = await h.call('GET', drawing(branched, size));
      expect(res.status).toBe(422);
      const body = await res.json();
      expect(body.error.code).toBe('molecule_too_large');
      expect(body.error.message).toMatch(/900 heavy atoms.*at most 150/);
    }
    const ethanol = await h.call('GET', drawing('CCO'));
    expect(ethanol.status).toBe(200);
    expect(await ethanol.text()).toContain('<svg');
  });
});
