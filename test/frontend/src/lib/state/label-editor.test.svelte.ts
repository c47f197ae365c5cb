import { describe, expect, it } from 'vitest';
import { aLabel } from '../../../support/wire-fixtures.js';
import { ApiError } from '../../../../../frontend/src/lib/api/errors.js';
import type { IdLike, LabelContent } from '../../../../../frontend/src/lib/api/types.js';
import { LabelEditor, defaultBrushSize, type LabelEditorOptions } from '../../../../../frontend/src/lib/state/label-editor.svelte.js';

/** An editor with a recording saver and a manual timer (no real time passes in these tests). */
function editorWith(answers: ((content: LabelContent, version: number) => Promise<{ version: number }>)[], options: Partial<LabelEditorOptions> = {}) {
  const saves: { assetId: IdLike; content: LabelContent; version: number }[] = [];
  const timers: (() => void)[] = [];
  const editor = new LabelEditor({
    save: (assetId, content, version) => {
      saves.push({ assetId, content, version });
      const answer = answers.shift();
      if (!answer) throw new Error('unexpected save');
      return answer(content, version);
    },
    setTimer: (callback) => timers.push(callback),
    clearTimer: () => timers.splice(0),
    ...options,
  });
  editor.setClasses(['pore', 'solid']);
  editor.load(1, null);
  return { editor, saves, timers };
}

const accept = (version: number) => async () => ({ version });

describe('LabelEditor', () => {
  it('makes one stroke one undo step and redoes it', () => {
    const { editor } = editorWith([]);
    editor.addStroke([1, 1, 5, 5], false);
    editor.selectClassByNumber(2);
    editor.addStroke([10, 10, 20, 20], false);
    expect(editor.label.strokes.map((s) => s.class)).toEqual(['pore', 'solid']);
    editor.undo();
    expect(editor.label.strokes).toEqual([{ class: 'pore', width: 16, points: [1, 1, 5, 5] }]);
    expect(editor.canRedo).toBe(true);
    editor.redo();
    expect(editor.label.strokes).toHaveLength(2);
  });

  it('records eraser strokes that cut a scribble with tool: eraser, and ignores empty strokes and erasers over nothing', () => {
    const { editor } = editorWith([]);
    editor.addStroke([], false);
    editor.addStroke([3, 3], true);
    expect(editor.label.strokes).toEqual([]);
    expect(editor.canUndo).toBe(false);
    editor.addStroke([0, 3, 40, 3], false);
    editor.addStroke([3, 3], true);
    expect(editor.label.strokes).toEqual([{ class: 'pore', width: 16, points: [0, 3, 40, 3] }, { class: 'pore', width: 16, points: [3, 3], tool: 'eraser' }]);
  });

  it('selects, moves and deletes a shape, each move and delete one undo step', () => {
    const { editor } = editorWith([]);
    editor.addPoint(5, 5);
    editor.select({ kind: 'point', index: 0 });
    editor.moveShape({ kind: 'point', index: 0 }, 2, 3);
    expect(editor.label.points).toEqual([{ class: 'pore', x: 7, y: 8 }]);
    expect(editor.selection).toEqual({ kind: 'point', index: 0 });
    editor.deleteSelected();
    expect(editor.label.points).toEqual([]);
    expect(editor.selection).toBeNull();
    editor.undo();
    expect(editor.label.points).toEqual([{ class: 'pore', x: 7, y: 8 }]);
    editor.undo();
    expect(editor.label.points).toEqual([{ class: 'pore', x: 5, y: 5 }]);
    editor.select({ kind: 'polygon', index: 0 });
    expect(editor.selection).toBeNull();
  });

  it('autosaves after an edit with the version it read, then takes the new version', async () => {
    const { editor, saves, timers } = editorWith([accept(5)]);
    editor.load(1, aLabel({ assetId: 1, version: 4 }));
    editor.addPoint(12.5, 7);
    expect(editor.saveState).toBe('dirty');
    expect(timers).toHaveLength(1);
    timers[0]();
    await Promise.resolve();
    await editor.save();
    expect(saves).toHaveLength(1);
    expect(saves[0].version).toBe(4);
    expect(saves[0].content.points).toEqual([{ class: 'pore', x: 12.5, y: 7 }]);
    expect(editor.version).toBe(5);
    expect(editor.saveState).toBe('saved');
    expect(editor.hasUnsavedChanges).toBe(false);
  });

  it('shows a 409 as a conflict, keeps the edits, and never retries on its own', async () => {
    const conflict = async () => {
      throw new ApiError(409, 'conflict', 'stale version');
    };
    const { editor, saves } = editorWith([conflict], { autosaveDelayMs: 0 });
    editor.addStroke([0, 0, 1, 1], false);
    await editor.save();
    expect(editor.saveState).toBe('conflict');
    expect(editor.saveMessage).toMatch(/Someone else saved/);
    expect(editor.label.strokes).toHaveLength(1);
    editor.addStroke([2, 2, 3, 3], false);
    await editor.save();
    expect(saves).toHaveLength(1);
    expect(editor.saveState).toBe('conflict');
  });

  it('overwrites explicitly on top of the server version after a conflict', async () => {
    const conflict = async () => {
      throw new ApiError(409, 'conflict', 'stale');
    };
    const { editor, saves } = editorWith([conflict, accept(8)], { autosaveDelayMs: 0 });
    editor.addStroke([0, 0, 1, 1], false);
    await editor.save();
    await editor.saveOverwriting(7);
    expect(saves.map((s) => s.version)).toEqual([0, 7]);
    expect(editor.version).toBe(8);
    expect(editor.saveState).toBe('saved');
  });

  it('saves under the asset the document was loaded for, even after another image is opened', async () => {
    const { editor, saves } = editorWith([accept(1), accept(3)], { autosaveDelayMs: 0 });
    editor.addStroke([0, 0, 5, 5], false);
    await editor.save();
    editor.load(2, aLabel({ assetId: 2, version: 2 }));
    expect(editor.label.strokes).toEqual([]);
    editor.addPoint(1, 1);
    await editor.save();
    expect(saves.map((s) => [s.assetId, s.version])).toEqual([
      [1, 0],
      [2, 2],
    ]);
  });

  it('refuses to save before an image is loaded', async () => {
    const editor = new LabelEditor({ save: async () => ({ version: 1 }), autosaveDelayMs: 0 });
    editor.setClasses(['pore']);
    editor.addPoint(1, 1);
    await expect(editor.save()).rejects.toThrow('no image is open');
  });

  it('reports other failures as errors', async () => {
    const { editor } = editorWith([async () => Promise.reject(new Error('offline'))], { autosaveDelayMs: 0 });
    editor.setRating(4);
    await editor.save();
    expect(editor.saveState).toBe('error');
    expect(editor.saveMessage).toBe('offline');
  });

  it('is clean again when undo returns to the saved document', () => {
    const { editor } = editorWith([]);
    editor.setImageClass('solid');
    expect(editor.hasUnsavedChanges).toBe(true);
    editor.undo();
    expect(editor.hasUnsavedChanges).toBe(false);
    expect(editor.saveState).toBe('idle');
  });

  it('resizes the brush with [ and ] within bounds and selects classes by number', () => {
    const { editor } = editorWith([]);
    editor.brushSize = 16;
    editor.growBrush();
    expect(editor.brushSize).toBe(20);
    editor.brushSize = 1;
    editor.shrinkBrush();
    expect(editor.brushSize).toBe(1);
    editor.tool = 'eraser';
    expect(editor.selectClassByNumber(2)).toBe(true);
    expect(editor.activeClass).toBe('solid');
    expect(editor.tool).toBe('brush');
    expect(editor.selectClassByNumber(9)).toBe(false);
  });
});

describe('defaultBrushSize', () => {
  it('is 1/40 of the shorter side, at least 2 px', () => {
    expect(defaultBrushSize(640, 480)).toBe(12);
    expect(defaultBrushSize(4096, 4096)).toBe(102);
    expect(defaultBrushSize(40, 30)).toBe(2);
  });
});
