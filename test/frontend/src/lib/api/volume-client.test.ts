import { describe, expect, it } from 'vitest';
import { ApiClient, type FetchInit } from '../../../../../frontend/src/lib/api/client.js';
import { ApiError } from '../../../../../frontend/src/lib/api/errors.js';

/** A client whose fetch records the calls and answers each with `answer`. */
function clientAnswering(answer: () => Response) {
  const calls: { url: string; init: FetchInit }[] = [];
  const client = new ApiClient({
    getToken: () => 'secret',
    fetch: async (url, init) => {
      calls.push({ url, init });
      return answer();
    },
  });
  return { client, calls };
}

const ok = () => new Response('{}', { status: 200, headers: { 'Content-Type': 'application/json' } });

describe('the client’s volume calls', () => {
  it('sends the slice spacing of a stack before the file, and slice images as repeated file fields in order', async () => {
    const { client, calls } = clientAnswering(ok);
    await client.uploadAsset(2, new Blob(['tiff']), 'stack.tif', { pixelSize: 5, pixelUnit: 'nm', sliceSpacing: 10 });
    const stack = calls[0].init.body as FormData;
    expect([...stack.keys()]).toEqual(['pixelSize', 'pixelUnit', 'sliceSpacing', 'file']);
    expect(stack.get('sliceSpacing')).toBe('10');
    await client.uploadVolumeSlices(2, [{ image: new Blob(['a']), filename: 's1.png' }, { image: new Blob(['b']), filename: 's2.png' }], { sliceSpacing: 2.5 });
    expect(calls[1].url).toBe('/api/campaigns/2/volumes');
    const slices = calls[1].init.body as FormData;
    expect([...slices.keys()]).toEqual(['sliceSpacing', 'file', 'file']);
    expect(slices.getAll('file').map((file) => (file as File).name)).toEqual(['s1.png', 's2.png']);
  });

  it('asks for measurements of a phase, estimates positions with a POST, and downloads the corrected stack', async () => {
    const { client, calls } = clientAnswering(ok);
    await client.volumeMeasurements(4, 'solid phase');
    await client.estimateSlicePositions(4);
    await client.volumeStack(4, 'corrected');
    expect(calls.map((call) => `${call.init.method} ${call.url}`)).toEqual([
      'GET /api/assets/4/measurements-3d?phase=solid%20phase',
      'POST /api/assets/4/slice-positions',
      'GET /api/assets/4/stack.tif?spacing=corrected',
    ]);
  });

  it('passes a refusal on with its details (how many slices lack a prediction)', async () => {
    const refusal = { error: { code: 'slices_not_predicted', message: '2 of 8 slices have no segmentation yet', details: { missingSliceIndices: [3, 4], slices: 8 } } };
    const { client } = clientAnswering(() => new Response(JSON.stringify(refusal), { status: 409, headers: { 'Content-Type': 'application/json' } }));
    const error = await client.volumeMeasurements(4, 'solid').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('slices_not_predicted');
    expect((error as ApiError).details).toEqual({ missingSliceIndices: [3, 4], slices: 8 });
  });
});
