// Keyboard shortcuts of the labeling workspace: one table, read both by the key handler and by the shortcut sheet
// (`?`), so the sheet lists exactly what the keys do. Letters work in either case (B and b).
import type { CanvasTool as Tool } from '../../canvas/tools/tool.js';

export type LabelingCommand =
  | { kind: 'undo' }
  | { kind: 'redo' }
  | { kind: 'class'; number: number }
  | { kind: 'grow-brush' }
  | { kind: 'shrink-brush' }
  | { kind: 'tool'; tool: Tool }
  | { kind: 'fit' }
  | { kind: 'zoom'; factor: number }
  | { kind: 'toggle-uncertainty' }
  | { kind: 'toggle-prediction' }
  | { kind: 'shortcuts' }
  | { kind: 'save' }
  | { kind: 'next' }
  /** Another slice of the open volume: one towards the first slice or deeper, or the first or last one. */
  | { kind: 'slice'; to: 'previous' | 'next' | 'first' | 'last' };

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/** One line of the shortcut sheet: the keys as shown, what they do, and the command (none for tool-handled keys). */
export interface Shortcut {
  keys: string[];
  description: string;
  /** Keys (as KeyboardEvent.key, letters lower-case) that trigger `command`. */
  match?: string[];
  command?: LabelingCommand;
}

/** Keys without Ctrl/Cmd. */
export const SHORTCUTS: readonly Shortcut[] = [
  { keys: ['B'], description: 'Brush', match: ['b'], command: { kind: 'tool', tool: 'brush' } },
  { keys: ['E'], description: 'Eraser', match: ['e'], command: { kind: 'tool', tool: 'eraser' } },
  { keys: ['P'], description: 'Polygon', match: ['p'], command: { kind: 'tool', tool: 'polygon' } },
  { keys: ['.'], description: 'Point', match: ['.'], command: { kind: 'tool', tool: 'point' } },
  { keys: ['V'], description: 'Select, move and delete shapes', match: ['v'], command: { kind: 'tool', tool: 'select' } },
  { keys: ['H'], description: 'Pan (or hold Space and drag, or drag with the middle button)', match: ['h'], command: { kind: 'tool', tool: 'pan' } },
  { keys: ['1 – 9'], description: 'Choose a label class (and the brush)' },
  { keys: ['['], description: 'Smaller brush', match: ['['], command: { kind: 'shrink-brush' } },
  { keys: [']'], description: 'Larger brush', match: [']'], command: { kind: 'grow-brush' } },
  { keys: ['Enter'], description: 'Close the polygon being drawn (or double-click)' },
  { keys: ['Esc'], description: 'Drop the polygon being drawn, or clear the selection' },
  { keys: ['Delete', 'Backspace'], description: 'Delete the selected shape' },
  { keys: ['F', '0'], description: 'Fit the image to the window', match: ['f', '0'], command: { kind: 'fit' } },
  { keys: ['+'], description: 'Zoom in (or the mouse wheel)', match: ['+', '='], command: { kind: 'zoom', factor: 1.25 } },
  { keys: ['−'], description: 'Zoom out', match: ['-'], command: { kind: 'zoom', factor: 0.8 } },
  { keys: ['M'], description: 'Show or hide the model prediction', match: ['m'], command: { kind: 'toggle-prediction' } },
  { keys: ['U'], description: 'Show or hide the model uncertainty', match: ['u'], command: { kind: 'toggle-uncertainty' } },
  { keys: ['N'], description: 'Save and open the next image of the queue', match: ['n'], command: { kind: 'next' } },
  { keys: ['PgUp', '↑'], description: 'Previous slice of a volume (towards the first)', match: ['PageUp', 'ArrowUp'], command: { kind: 'slice', to: 'previous' } },
  { keys: ['PgDn', '↓'], description: 'Next slice of a volume (deeper)', match: ['PageDown', 'ArrowDown'], command: { kind: 'slice', to: 'next' } },
  { keys: ['Home'], description: 'First slice of the volume', match: ['Home'], command: { kind: 'slice', to: 'first' } },
  { keys: ['End'], description: 'Last slice of the volume', match: ['End'], command: { kind: 'slice', to: 'last' } },
  { keys: ['?'], description: 'This list of shortcuts', match: ['?'], command: { kind: 'shortcuts' } },
];

/** Keys with Ctrl (Cmd on macOS). */
export const MODIFIER_SHORTCUTS: readonly Shortcut[] = [
  { keys: ['Ctrl', 'Z'], description: 'Undo' },
  { keys: ['Ctrl', 'Shift', 'Z'], description: 'Redo (or Ctrl+Y)' },
  { keys: ['Ctrl', 'S'], description: 'Save now (edits also save by themselves)' },
];

/** The command for a key press, or null when the key is not a shortcut. */
export function commandForKey(event: KeyLike): LabelingCommand | null {
  const modifier = event.ctrlKey || event.metaKey;
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  if (modifier && !event.altKey) {
    if (key === 'z') return event.shiftKey ? { kind: 'redo' } : { kind: 'undo' };
    if (key === 'y') return { kind: 'redo' };
    if (key === 's') return { kind: 'save' };
    return null;
  }
  if (modifier || event.altKey) return null;
  if (/^[1-9]$/.test(key)) return { kind: 'class', number: Number(key) };
  return SHORTCUTS.find((shortcut) => shortcut.match?.includes(key))?.command ?? null;
}
