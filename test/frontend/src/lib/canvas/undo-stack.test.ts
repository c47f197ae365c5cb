import { describe, expect, it } from 'vitest';
import { UndoStack } from '../../../../../frontend/src/lib/canvas/undo-stack.js';

describe('UndoStack', () => {
  it('undoes and redoes one commit per step', () => {
    const stack = new UndoStack<string[]>([]);
    stack.commit(['a']);
    stack.commit(['a', 'b']);
    expect(stack.undo()).toEqual(['a']);
    expect(stack.undo()).toEqual([]);
    expect(stack.canUndo).toBe(false);
    expect(stack.redo()).toEqual(['a']);
    expect(stack.redo()).toEqual(['a', 'b']);
    expect(stack.canRedo).toBe(false);
  });

  it('drops the redo branch on a new commit', () => {
    const stack = new UndoStack(0);
    stack.commit(1);
    stack.commit(2);
    stack.undo();
    stack.commit(3);
    expect(stack.canRedo).toBe(false);
    expect(stack.redo()).toBe(3);
    expect(stack.undo()).toBe(1);
  });

  it('is a no-op when there is nothing to undo or redo', () => {
    const stack = new UndoStack('start');
    expect(stack.undo()).toBe('start');
    expect(stack.redo()).toBe('start');
  });

  it('keeps at most `limit` undo steps, dropping the oldest', () => {
    const stack = new UndoStack(0, { limit: 3 });
    for (let value = 1; value <= 5; value++) stack.commit(value);
    expect(stack.undoDepth).toBe(3);
    stack.undo();
    stack.undo();
    expect(stack.undo()).toBe(2);
    expect(stack.canUndo).toBe(false);
  });

  it('reset forgets the history', () => {
    const stack = new UndoStack(0);
    stack.commit(1);
    stack.reset(9);
    expect(stack.present).toBe(9);
    expect(stack.canUndo).toBe(false);
  });

  it('rejects a non-positive limit', () => {
    expect(() => new UndoStack(0, { limit: 0 })).toThrow(RangeError);
  });
});
