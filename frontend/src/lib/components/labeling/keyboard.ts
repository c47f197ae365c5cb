// Keyboard shortcuts of the labeling workspace, as a pure mapping from a key event to a command.

export type LabelingCommand =
  | { kind: 'undo' }
  | { kind: 'redo' }
  | { kind: 'class'; number: number }
  | { kind: 'grow-brush' }
  | { kind: 'shrink-brush' }
  | { kind: 'tool'; tool: 'brush' | 'eraser' | 'polygon' | 'point' | 'pan' }
  | { kind: 'fit' }
  | { kind: 'zoom'; factor: number }
  | { kind: 'finish-polygon' }
  | { kind: 'cancel-polygon' }
  | { kind: 'save' }
  | { kind: 'next' };

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/** The command for a key press, or null when the key is not a shortcut. */
export function commandForKey(event: KeyLike): LabelingCommand | null {
  const modifier = event.ctrlKey || event.metaKey;
  const key = event.key;
  if (modifier && !event.altKey) {
    if (key.toLowerCase() === 'z') return event.shiftKey ? { kind: 'redo' } : { kind: 'undo' };
    if (key.toLowerCase() === 'y') return { kind: 'redo' };
    if (key.toLowerCase() === 's') return { kind: 'save' };
    return null;
  }
  if (event.altKey) return null;
  if (/^[1-9]$/.test(key)) return { kind: 'class', number: Number(key) };
  switch (key) {
    case '[':
      return { kind: 'shrink-brush' };
    case ']':
      return { kind: 'grow-brush' };
    case 'b':
      return { kind: 'tool', tool: 'brush' };
    case 'e':
      return { kind: 'tool', tool: 'eraser' };
    case 'p':
      return { kind: 'tool', tool: 'polygon' };
    case '.':
      return { kind: 'tool', tool: 'point' };
    case 'h':
      return { kind: 'tool', tool: 'pan' };
    case 'f':
    case '0':
      return { kind: 'fit' };
    case '+':
    case '=':
      return { kind: 'zoom', factor: 1.25 };
    case '-':
      return { kind: 'zoom', factor: 0.8 };
    case 'Enter':
      return { kind: 'finish-polygon' };
    case 'Escape':
      return { kind: 'cancel-polygon' };
    case 'n':
      return { kind: 'next' };
    default:
      return null;
  }
}
