import { describe, expect, it } from 'vitest';
import { commandForKey, SHORTCUTS } from '../../../../../../frontend/src/lib/components/labeling/keyboard.js';

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

describe('shortcuts in either case, and the sheet', () => {
  it('maps letters case-insensitively (B and b), V to select, ? to the sheet, U and M to the overlays', () => {
    expect(commandForKey(key('B', { shiftKey: true }))).toEqual({ kind: 'tool', tool: 'brush' });
    expect(commandForKey(key('b'))).toEqual({ kind: 'tool', tool: 'brush' });
    expect(commandForKey(key('V'))).toEqual({ kind: 'tool', tool: 'select' });
    expect(commandForKey(key('?', { shiftKey: true }))).toEqual({ kind: 'shortcuts' });
    expect(commandForKey(key('U'))).toEqual({ kind: 'toggle-uncertainty' });
    expect(commandForKey(key('M'))).toEqual({ kind: 'toggle-prediction' });
    // O would look like the digit 0 (Fit) on the key chips.
    expect(commandForKey(key('o'))).toBeNull();
    expect(commandForKey(key('N'))).toEqual({ kind: 'next' });
  });

  it('lists every key the handler answers to on the sheet', () => {
    const listed = new Set(SHORTCUTS.flatMap((shortcut) => shortcut.match ?? []));
    for (const k of ['b', 'e', 'p', '.', 'v', 'h', '[', ']', 'f', '0', '+', '=', '-', 'm', 'u', 'n', '?']) {
      expect(commandForKey(key(k))).not.toBeNull();
      expect(listed.has(k)).toBe(true);
    }
    expect(SHORTCUTS.map((shortcut) => shortcut.keys.join(' '))).toEqual(expect.arrayContaining(['Delete Backspace', 'Enter', 'Esc', '1 – 9']));
  });

  it('gives each key one command', () => {
    const keys = SHORTCUTS.flatMap((shortcut) => shortcut.match ?? []);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
