import type { IdLike, Label, LabelContent, LabelPoint, LabelPolygon, Stroke } from '../api/types.js';
import { ApiError } from '../api/errors.js';
import { UndoStack } from '../canvas/undo-stack.js';
import { emptyLabel, labelContentOf, sameLabelContent, withImageClass, withPoint, withPolygon, withRating, withStroke } from '../canvas/label-document.js';
import { deleteShape, eraseWith, moveShape, shapeExists, type ShapeRef } from '../canvas/shapes.js';
import type { CanvasTool } from '../canvas/tools/index.js';
import type { Size } from '../canvas/viewport.js';

export type Tool = CanvasTool;

/** idle: nothing to save; dirty: edits wait for autosave; conflict: somebody else saved first (409). */
export type SaveState = 'idle' | 'dirty' | 'saving' | 'saved' | 'conflict' | 'error';

/** Saves a label of one asset; the asset id is the one the document was loaded for, never "the current page's". */
export type LabelSaver = (assetId: IdLike, content: LabelContent, version: number) => Promise<Pick<Label, 'version'>>;

export interface LabelEditorOptions {
  save: LabelSaver;
  /** Milliseconds after the last edit before autosave runs; 0 disables autosave (save() by hand). */
  autosaveDelayMs?: number;
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/** A starting brush diameter that suits the image: 1/40 of its shorter side, at least 2 px (16 px for 640×480). */
export function defaultBrushSize(width: number, height: number): number {
  return Math.max(2, Math.round(Math.min(width, height) / 40));
}

export const MIN_BRUSH_SIZE = 1;
export const MAX_BRUSH_SIZE = 512;

/** Editing state of one asset's label: document + undo history, tool settings, and versioned autosave. */
export class LabelEditor {
  label: LabelContent = $state.raw(emptyLabel());
  version = $state(0);
  tool: Tool = $state('brush');
  classes: string[] = $state.raw([]);
  activeClass = $state('');
  /** Brush and eraser diameter in image pixels. */
  brushSize = $state(16);
  overlayOpacity = $state(0.5);
  saveState: SaveState = $state('idle');
  saveMessage: string | null = $state(null);
  canUndo = $state(false);
  canRedo = $state(false);
  /** The shape the select tool picked (null: none); cleared when the document changes under it. */
  selection: ShapeRef | null = $state.raw(null);
  /** Size of the open image: pixels outside it never count when deciding whether a shape is erased completely. */
  imageSize: Size | null = null;

  /** The asset whose label is being edited (null before the first load). */
  assetId: IdLike | null = $state(null);
  private readonly history = new UndoStack<LabelContent>(emptyLabel());
  private savedLabel: LabelContent = emptyLabel();
  private readonly options: Required<LabelEditorOptions>;
  private timer: unknown = null;
  private inFlight: Promise<void> | null = null;

  constructor(options: LabelEditorOptions) {
    this.options = {
      autosaveDelayMs: 800,
      setTimer: (callback, ms) => setTimeout(callback, ms),
      clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
      ...options,
    };
  }

  /** Sets the class palette; the first class becomes active when the current one is not in it. */
  setClasses(classes: string[]): void {
    this.classes = classes;
    if (!classes.includes(this.activeClass)) this.activeClass = classes[0] ?? '';
  }

  /**
   * Shows the label of `assetId` read from the server (null: a blank one) with a fresh undo history.
   * Call save() first when switching images: unsaved edits of the previous image are dropped here.
   */
  load(assetId: IdLike, label: Label | null): void {
    this.cancelTimer();
    this.assetId = assetId;
    const content = labelContentOf(label);
    this.history.reset(content);
    this.label = content;
    this.savedLabel = content;
    this.version = label?.version ?? 0;
    this.selection = null;
    this.saveState = 'idle';
    this.saveMessage = null;
    this.syncHistoryFlags();
  }

  /**
   * Adds one finished brush stroke (flat image-pixel points) as one undo step. An eraser stroke follows the rules of
   * shapes.ts#eraseWith (points under it and shapes it erases completely are removed; kept only where it cuts a brush
   * stroke) and is no edit at all when it erases nothing.
   */
  addStroke(points: number[], erase: boolean): void {
    if (points.length < 2) return;
    const stroke: Stroke = { class: this.activeClass, width: this.brushSize, points };
    if (!erase) return this.commit(withStroke(this.label, stroke));
    const erased = eraseWith(this.label, { ...stroke, tool: 'eraser' }, this.imageSize ?? undefined);
    if (erased) this.commit(erased);
  }

  /** Selects a shape (select tool), or clears the selection with null. */
  select(shape: ShapeRef | null): void {
    this.selection = shape && shapeExists(this.label, shape) ? shape : null;
  }

  /** Moves a shape by (dx, dy) image pixels as one undo step; a moved stroke becomes the newest (see moveShape). */
  moveShape(shape: ShapeRef, dx: number, dy: number): void {
    if (!shapeExists(this.label, shape) || (dx === 0 && dy === 0)) return;
    const moved = moveShape(this.label, shape, dx, dy);
    this.commit(moved);
    this.selection = shape.kind === 'stroke' ? { kind: 'stroke', index: moved.strokes.length - 1 } : shape;
  }

  /** Deletes a shape as one undo step. */
  deleteShape(shape: ShapeRef): void {
    if (!shapeExists(this.label, shape)) return;
    this.commit(deleteShape(this.label, shape));
    this.selection = null;
  }

  /** Deletes the selected shape (Delete key or button); nothing when none is selected. */
  deleteSelected(): void {
    if (this.selection) this.deleteShape(this.selection);
  }

  /** Adds a point of the active class (image pixels) as one undo step. */
  addPoint(x: number, y: number): void {
    const point: LabelPoint = { class: this.activeClass, x, y };
    this.commit(withPoint(this.label, point));
  }

  /** Adds a closed polygon (at least three vertices) as one undo step. */
  addPolygon(points: number[]): void {
    if (points.length < 6) return;
    const polygon: LabelPolygon = { class: this.activeClass, points };
    this.commit(withPolygon(this.label, polygon));
  }

  /** Sets the image-level class as one undo step ('' or null clears it). */
  setImageClass(imageClass: string | null): void {
    this.commit(withImageClass(this.label, imageClass === '' ? null : imageClass));
  }

  /** Sets the image rating as one undo step (null clears it). */
  setRating(rating: number | null): void {
    this.commit(withRating(this.label, rating));
  }

  /** Steps back one edit (Ctrl+Z). */
  undo(): void {
    if (!this.history.canUndo) return;
    this.selection = null;
    this.show(this.history.undo());
  }

  /** Re-applies the last undone edit (Ctrl+Shift+Z). */
  redo(): void {
    if (!this.history.canRedo) return;
    this.selection = null;
    this.show(this.history.redo());
  }

  /** Selects the class with 1-based palette index `n` (hotkeys 1–9); false when there is no such class. */
  selectClassByNumber(n: number): boolean {
    const selected = this.classes[n - 1];
    if (selected === undefined) return false;
    this.activeClass = selected;
    if (this.tool === 'eraser' || this.tool === 'pan' || this.tool === 'select') this.tool = 'brush';
    return true;
  }

  /** `]`: brush 25% larger (at least +1 px), capped at MAX_BRUSH_SIZE. */
  growBrush(): void {
    this.brushSize = Math.min(MAX_BRUSH_SIZE, Math.max(this.brushSize + 1, Math.round(this.brushSize * 1.25)));
  }

  /** `[`: brush 20% smaller (at least −1 px), not below MIN_BRUSH_SIZE. */
  shrinkBrush(): void {
    this.brushSize = Math.max(MIN_BRUSH_SIZE, Math.min(this.brushSize - 1, Math.round(this.brushSize / 1.25)));
  }

  /** Whether there are edits the server has not confirmed. */
  get hasUnsavedChanges(): boolean {
    return !sameLabelContent(this.label, this.savedLabel);
  }

  /**
   * Saves the document with the version last read. On 409 the state becomes 'conflict' and nothing is
   * retried: the person chooses to reload theirs or to overwrite (saveOverwriting) — never silently.
   */
  async save(): Promise<void> {
    this.cancelTimer();
    if (this.inFlight) await this.inFlight;
    if (this.saveState === 'conflict' || !this.hasUnsavedChanges) return;
    this.inFlight = this.sendSave();
    try {
      await this.inFlight;
    } finally {
      this.inFlight = null;
    }
    if (this.hasUnsavedChanges && this.saveState === 'saved') this.scheduleAutosave();
  }

  /** After a conflict: save this document on top of the server's newer `serverVersion`. */
  async saveOverwriting(serverVersion: number): Promise<void> {
    this.version = serverVersion;
    this.saveState = 'dirty';
    this.saveMessage = null;
    await this.save();
  }

  /** Stops a pending autosave (when leaving the page after save()). */
  dispose(): void {
    this.cancelTimer();
  }

  /** PUTs the document with its version; records the new version, or the conflict or error. */
  private async sendSave(): Promise<void> {
    const content = this.label;
    const assetId = this.assetId;
    if (assetId === null) throw new Error('save() before load(): no image is open');
    this.saveState = 'saving';
    this.saveMessage = null;
    try {
      const saved = await this.options.save(assetId, content, this.version);
      this.version = saved.version;
      this.savedLabel = content;
      this.saveState = this.hasUnsavedChanges ? 'dirty' : 'saved';
    } catch (error) {
      if (error instanceof ApiError && error.isConflict) {
        this.saveState = 'conflict';
        this.saveMessage = 'Someone else saved this label meanwhile. Your edits are kept here and were not saved.';
      } else {
        this.saveState = 'error';
        this.saveMessage = error instanceof Error ? error.message : String(error);
      }
    }
  }

  /** Records an edit as one undo step and shows it. */
  private commit(next: LabelContent): void {
    this.show(this.history.commit(next));
  }

  /** Makes `content` the visible document and marks it dirty (autosave) unless it equals the saved one. */
  private show(content: LabelContent): void {
    this.label = content;
    this.syncHistoryFlags();
    if (this.saveState === 'conflict') return;
    if (this.hasUnsavedChanges) {
      this.saveState = 'dirty';
      this.scheduleAutosave();
    } else {
      this.cancelTimer();
      this.saveState = this.version > 0 ? 'saved' : 'idle';
    }
  }

  /** (Re)starts the autosave timer. */
  private scheduleAutosave(): void {
    if (this.options.autosaveDelayMs <= 0) return;
    this.cancelTimer();
    this.timer = this.options.setTimer(() => {
      this.timer = null;
      void this.save();
    }, this.options.autosaveDelayMs);
  }

  /** Stops a pending autosave. */
  private cancelTimer(): void {
    if (this.timer !== null) this.options.clearTimer(this.timer);
    this.timer = null;
  }

  /** Mirrors the history's undo/redo availability into reactive state. */
  private syncHistoryFlags(): void {
    this.canUndo = this.history.canUndo;
    this.canRedo = this.history.canRedo;
  }
}
