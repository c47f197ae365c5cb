import { describe, expect, it } from 'vitest';
import type { Sample } from '../../../../../../frontend/src/lib/api/types.js';
import { aSample } from '../../../../support/wire-fixtures.js';
import { assetPatchOf, fieldsOfAsset, findSampleByRef, imageCaption, uploadOptionsOf } from '../../../../../../frontend/src/lib/components/labeling/upload-fields.js';

const samples: Sample[] = [
  aSample({ id: 3, status: 'running', externalId: 'M-3' }),
  aSample({ id: 4, status: 'candidate', externalId: null }),
  aSample({ id: 5, status: 'retracted', externalId: 'M-5' }),
  // A lab id that looks like another sample's id: the lab's id wins.
  aSample({ id: 6, status: 'candidate', externalId: '4' }),
];

describe('upload fields', () => {
  it('finds a sample by its lab id first, then by "#id" or a bare id', () => {
    expect(findSampleByRef('M-3', samples)).toBe(3);
    expect(findSampleByRef(' #4 ', samples)).toBe(4);
    expect(findSampleByRef('4', samples)).toBe(6);
    expect(findSampleByRef('#99', samples)).toBeUndefined();
    expect(findSampleByRef('M-9', samples)).toBeUndefined();
  });

  it('gives the upload options, or says what is wrong (no such sample, a retracted one, a bad pixel size)', () => {
    expect(uploadOptionsOf({ sample: '', pixelSize: '', pixelUnit: 'nm' }, samples)).toEqual({ ok: true, options: {} });
    expect(uploadOptionsOf({ sample: 'M-3', pixelSize: '2,5', pixelUnit: 'µm' }, samples)).toEqual({ ok: true, options: { sampleId: 3, pixelSize: 2.5, pixelUnit: 'µm' } });
    const bad = uploadOptionsOf({ sample: 'M-5', pixelSize: '-1', pixelUnit: 'nm' }, samples);
    expect(bad).toEqual({ ok: false, errors: { sample: 'No sample "M-5" in this campaign', pixelSize: 'Pixel size must be a positive number' } });
  });

  it('captions an image with its sample and pixel size', () => {
    const byId = new Map(samples.map((sample) => [sample.id, sample]));
    expect(imageCaption({ sampleId: 3, pixelSize: 2.5, pixelUnit: 'nm' }, byId)).toBe('sample M-3 · 2.5 nm/px');
    expect(imageCaption({ sampleId: 4, pixelSize: null, pixelUnit: null }, byId)).toBe('sample #4');
    expect(imageCaption({ sampleId: null }, byId)).toBe('no sample');
  });

  it('edits an image’s sample and pixel size: pre-filled from it, empty fields detach and forget', () => {
    const byId = new Map(samples.map((sample) => [sample.id, sample]));
    expect(fieldsOfAsset({ sampleId: 3, pixelSize: 2.5, pixelUnit: 'µm' }, byId)).toEqual({ sample: 'M-3', pixelSize: '2.5', pixelUnit: 'µm' });
    expect(fieldsOfAsset({ sampleId: null, pixelSize: null, pixelUnit: null }, byId)).toEqual({ sample: '', pixelSize: '', pixelUnit: 'nm' });
    expect(assetPatchOf({ sample: '#4', pixelSize: '3', pixelUnit: 'nm' }, samples)).toEqual({ ok: true, patch: { sampleId: 4, pixelSize: 3, pixelUnit: 'nm' } });
    expect(assetPatchOf({ sample: '', pixelSize: '', pixelUnit: 'µm' }, samples)).toEqual({ ok: true, patch: { sampleId: null, pixelSize: null, pixelUnit: null } });
    expect(assetPatchOf({ sample: 'nope', pixelSize: '', pixelUnit: 'nm' }, samples).ok).toBe(false);
  });
});
