/** Typed arrays in SharedArrayBuffers, for the posterior pools' models and queries (nothing large is copied per thread). */
import type { PosteriorBoundModel, PosteriorModel } from '../../acquisition/index.js';

/** A zero-filled Float64Array of `length` in a SharedArrayBuffer. */
export function sharedDoubles(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(length * 8));
}

/** A copy of a in a SharedArrayBuffer. */
export function sharedCopy(a: Float64Array): Float64Array {
  const out = sharedDoubles(a.length);
  out.set(a);
  return out;
}

/** The model with every array in shared memory. */
export function sharedModel(model: PosteriorModel): PosteriorModel {
  return {
    ...model,
    lengthscales: sharedCopy(model.lengthscales), scaledX: sharedCopy(model.scaledX), alpha: sharedCopy(model.alpha),
    inversePanels: sharedCopy(model.inversePanels),
  };
}

/** The bound model (pool pruning) with every array in shared memory. */
export function sharedBoundModel(model: PosteriorBoundModel): PosteriorBoundModel {
  return { ...model, scaledX: sharedCopy(model.scaledX), alpha: sharedCopy(model.alpha), diagonal: sharedCopy(model.diagonal) };
}

/** Keeps the shared copy of the last model asked for, so that repeated predictions with one GP copy it once. */
export class SharedModelSlot {
  private last: { source: PosteriorModel; copy: PosteriorModel } | null = null;

  /** The shared copy of model (made on the first call with this model). */
  share(model: PosteriorModel): PosteriorModel {
    if (this.last?.source !== model) this.last = { source: model, copy: sharedModel(model) };
    return this.last.copy;
  }

  clear(): void {
    this.last = null;
  }
}
