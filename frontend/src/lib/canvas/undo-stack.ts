// Snapshot undo history: every committed edit (one stroke, one polygon, one point, one field change)
// pushes one immutable snapshot, so undo/redo is exact and one stroke is one step. Snapshots share
// structure (arrays of the same stroke objects), so memory grows with the edits, not with the image.

export interface UndoStackOptions {
  /** Maximum number of undo steps kept; the oldest are dropped beyond it. */
  limit?: number;
}

/** A linear undo/redo history over immutable values of type T. */
export class UndoStack<T> {
  private past: T[] = [];
  private future: T[] = [];
  private current: T;
  private readonly limit: number;

  constructor(initial: T, options: UndoStackOptions = {}) {
    this.current = initial;
    this.limit = options.limit ?? 500;
    if (!Number.isInteger(this.limit) || this.limit < 1) throw new RangeError('Undo limit must be a positive integer');
  }

  /** The value now shown. */
  get present(): T {
    return this.current;
  }

  /** Whether there is an edit to undo. */
  get canUndo(): boolean {
    return this.past.length > 0;
  }

  /** Whether there is an undone edit to redo. */
  get canRedo(): boolean {
    return this.future.length > 0;
  }

  /** How many edits can be undone. */
  get undoDepth(): number {
    return this.past.length;
  }

  /** Records a new value as one undo step and clears the redo branch. */
  commit(next: T): T {
    this.past.push(this.current);
    if (this.past.length > this.limit) this.past.shift();
    this.future = [];
    this.current = next;
    return next;
  }

  /** Steps back one edit; returns the restored value (unchanged when there is nothing to undo). */
  undo(): T {
    const previous = this.past.pop();
    if (previous === undefined) return this.current;
    this.future.push(this.current);
    this.current = previous;
    return previous;
  }

  /** Re-applies the last undone edit; returns the value (unchanged when there is nothing to redo). */
  redo(): T {
    const next = this.future.pop();
    if (next === undefined) return this.current;
    this.past.push(this.current);
    this.current = next;
    return next;
  }

  /** Replaces the whole history with a fresh value (after loading a label from the server). */
  reset(value: T): void {
    this.past = [];
    this.future = [];
    this.current = value;
  }
}
