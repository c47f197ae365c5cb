import { describe, expect, it } from 'vitest';
import { commandForKey, SHORTCUTS } from '../../../../../../frontend/src/lib/components/labeling/keyboard.js';
import {
  clampSliceIndex, depthUnit, labeledSliceIndices, middleSliceIndex, sliceDepth, sliceDepthText, spacingSummary, thumbnailSliceId, volumeCaption,
} from '../../../../../../frontend/src/lib/components/labeling/volume-slices.js';
import { inSliceOrder, isTiffFile, sliceSpacingOf } from '../../../../../../frontend/src/lib/components/labeling/upload-fields.js';
import { anAsset } from '../../../../support/wire-fixtures.js';

/** A 5-slice volume (slices #11–#15) with a nominal spacing of 2 nm at 1.5 nm/px. */
const volume = anAsset({ id: 10, kind: 'volume', depth: 5, sliceAssetIds: [11, 12, 13, 14, 15], sliceSpacing: 2, pixelSize: 1.5, pixelUnit: 'nm' });
const key = (k: string) => ({ key: k, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false });

describe('volume slices', () => {
  it('opens at the middle slice, ⌊(N − 1)/2⌋, and shows it as the thumbnail', () => {
    expect([1, 2, 3, 4, 5, 100].map(middleSliceIndex)).toEqual([0, 0, 1, 1, 2, 49]);
    expect(middleSliceIndex(0)).toBe(0);
    expect(thumbnailSliceId(volume)).toBe(13);
    expect(thumbnailSliceId(anAsset({ kind: 'volume', sliceAssetIds: [] }))).toBeNull();
  });

  it('clamps a slice index into the stack, whole slices only', () => {
    expect([-3, 0, 2.4, 2.6, 4, 99].map((index) => clampSliceIndex(index, 5))).toEqual([0, 0, 2, 3, 4, 4]);
    expect(clampSliceIndex(3, 0)).toBe(0);
    expect(clampSliceIndex(Number.NaN, 5)).toBe(0);
  });

  it('places a slice at index × nominal spacing until positions are estimated, then at its estimate', () => {
    expect(sliceDepth(volume, 3)).toEqual({ value: 6, unit: 'nm', source: 'nominal' });
    expect(sliceDepthText(volume, 3)).toBe('z ≈ 6 nm (nominal)');
    const estimated = { ...volume, slicePositions: [0, 1.8, 4.1, 6.3, 8.0] };
    expect(sliceDepth(estimated, 3)).toEqual({ value: 6.3, unit: 'nm', source: 'estimated' });
    expect(sliceDepthText(estimated, 2)).toBe('z = 4.1 nm');
    // Without a pixel size both the spacing and the positions are in pixels; with no spacing at all, nothing is said.
    expect(sliceDepthText({ ...volume, pixelSize: null, pixelUnit: null }, 1)).toBe('z ≈ 2 px (nominal)');
    expect(sliceDepthText({ ...volume, sliceSpacing: null }, 1)).toBe('');
    expect(depthUnit({ pixelSize: null, pixelUnit: null })).toBe('px');
  });

  it('summarizes estimated spacings: mean = span / gaps, and the smallest and largest gap', () => {
    expect(spacingSummary(volume)).toBeNull();
    const summary = spacingSummary({ ...volume, slicePositions: [0, 1.8, 4.1, 6.3, 8.0] });
    expect(summary?.mean).toBeCloseTo(2, 12);
    expect(summary?.min).toBeCloseTo(1.7, 12);
    expect(summary?.max).toBeCloseTo(2.3, 12);
    expect(summary?.unit).toBe('nm');
  });

  it('marks the slices that carry scribbles, in slice order, ignoring other assets', () => {
    expect(labeledSliceIndices(volume, new Set([15, 12, 99]))).toEqual([1, 4]);
    expect(volumeCaption(volume)).toBe('volume · 5 slices');
  });
});

describe('slice keys and stack uploads', () => {
  it('moves through slices with PgUp/PgDn, ↑/↓, Home and End, each listed on the sheet', () => {
    expect(commandForKey(key('PageDown'))).toEqual({ kind: 'slice', to: 'next' });
    expect(commandForKey(key('ArrowDown'))).toEqual({ kind: 'slice', to: 'next' });
    expect(commandForKey(key('PageUp'))).toEqual({ kind: 'slice', to: 'previous' });
    expect(commandForKey(key('ArrowUp'))).toEqual({ kind: 'slice', to: 'previous' });
    expect(commandForKey(key('Home'))).toEqual({ kind: 'slice', to: 'first' });
    expect(commandForKey(key('End'))).toEqual({ kind: 'slice', to: 'last' });
    // The point tool keeps '.', and left/right stay with the slider's own keys.
    expect(commandForKey(key('.'))).toEqual({ kind: 'tool', tool: 'point' });
    expect(commandForKey(key('ArrowLeft'))).toBeNull();
    const listed = SHORTCUTS.flatMap((shortcut) => shortcut.match ?? []);
    expect(listed).toEqual(expect.arrayContaining(['PageUp', 'PageDown', 'ArrowUp', 'ArrowDown', 'Home', 'End']));
  });

  it('reads a slice spacing as a positive number or none, and orders slice files by their numbers', () => {
    expect(sliceSpacingOf('')).toEqual({ ok: true });
    expect(sliceSpacingOf(' 2,5 ')).toEqual({ ok: true, value: 2.5 });
    expect(sliceSpacingOf('0')).toEqual({ ok: false, error: 'Slice spacing must be a positive number' });
    expect(sliceSpacingOf('1e999').ok).toBe(false);
    expect(sliceSpacingOf('abc').ok).toBe(false);
    expect(inSliceOrder([{ name: 'slice_10.png' }, { name: 'slice_2.png' }, { name: 'Slice_1.png' }]).map((file) => file.name)).toEqual(['Slice_1.png', 'slice_2.png', 'slice_10.png']);
    expect(isTiffFile({ name: 'stack.TIF', type: '' })).toBe(true);
    expect(isTiffFile({ name: 'a.png', type: 'image/png' })).toBe(false);
  });
});
