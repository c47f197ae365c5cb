import { describe, expect, it } from 'vitest';
import { commandForKey } from '../../../../../../frontend/src/lib/components/labeling/keyboard.js';

const key = (k: string, modifiers: Partial<{ ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }> = {}) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...modifiers,
});

describe('commandForKey', () => {
  it('maps Ctrl+Z to undo and Ctrl+Shift+Z / Ctrl+Y to redo (Cmd on macOS too)', () => {
    expect(commandForKey(key('z', { ctrlKey: true }))).toEqual({ kind: 'undo' });
    expect(commandForKey(key('Z', { ctrlKey: true, shiftKey: true }))).toEqual({ kind: 'redo' });
    expect(commandForKey(key('y', { ctrlKey: true }))).toEqual({ kind: 'redo' });
    expect(commandForKey(key('z', { metaKey: true }))).toEqual({ kind: 'undo' });
  });

  it('maps 1–9 to classes and brackets to brush size', () => {
    expect(commandForKey(key('3'))).toEqual({ kind: 'class', number: 3 });
    expect(commandForKey(key('['))).toEqual({ kind: 'shrink-brush' });
    expect(commandForKey(key(']'))).toEqual({ kind: 'grow-brush' });
  });

  it('ignores plain letters that are not shortcuts and Alt combinations', () => {
    expect(commandForKey(key('q'))).toBeNull();
    expect(commandForKey(key('1', { altKey: true }))).toBeNull();
    expect(commandForKey(key('c', { ctrlKey: true }))).toBeNull();
  });
});
