// Issue 14: the browser's preview and the server's refusal name a bad CSV row by the same number, the line of the
// file it starts on with the header as line 1 (blank lines and quoted line breaks counted as lines).
import { describe, expect, it } from 'vitest';
import { rowErrorsFromDetails } from '../../../../../frontend/src/lib/api/errors.js';
import { buildImportPreview } from '../../../../../frontend/src/lib/csv/preview.js';
import type { Campaign } from '../../../../../frontend/src/lib/api/types.js';
import { createExampleCampaign, createHarness } from '../../../../backend/support.js';

const CSV = [
  'concentration,evaporation,layers,solvent,externalId', // line 1: the header
  '20,10,2,DMF/THF,A', // line 2: fine
  '', // line 3: blank
  '40,10,2,DMF/THF,B', // line 4: concentration above 32
  '25,10,2,toluene,"C', // line 5: a solvent not in the design space, in a record that goes on...
  'continued"', // line 6: ...over a quoted line break
  '25,10,9,DMF/THF,D', // line 7: layers above 5
  '',
].join('\n');

describe('CSV line numbers, browser and server', () => {
  it('flag the same rows with the same line of the file', async () => {
    const h = createHarness();
    const campaignId = await createExampleCampaign(h);
    const campaign: Campaign = await (await h.call('GET', `/api/campaigns/${campaignId}`)).json();
    const preview = buildImportPreview(campaign, CSV, 'samples');
    const previewLines = preview.rows.filter((row) => row.errors.length > 0).map((row) => row.line);
    expect(previewLines).toEqual([4, 5, 7]);

    const before = await h.snapshot();
    const res = await h.call('POST', `/api/campaigns/${campaignId}/samples`, { body: CSV, type: 'text/csv' });
    expect(res.status).toBe(422);
    const serverLines = [...new Set(rowErrorsFromDetails((await res.json()).error.details).map((error) => error.row))];
    expect(serverLines).toEqual(previewLines);
    expect(await h.snapshot()).toBe(before);
  });
});
