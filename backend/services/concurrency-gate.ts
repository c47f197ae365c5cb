/** A counting semaphore with a bounded wait queue: at most `concurrent` tasks run, at most `queued` wait, the rest are refused. */
import { ServiceUnavailableError } from '../domain/errors.js';

export interface GateOptions {
  /** Tasks that may run at once. */
  concurrent: number;
  /** Tasks that may wait for a turn; one more is refused with a 503. */
  queued: number;
  /** Error code and message of the refusal, and the Retry-After it suggests. */
  refusal: { code: string; message: string; retryAfterSeconds: number };
}

/** Runs tasks at most `concurrent` at a time, in arrival order; beyond the wait queue it refuses at once instead of piling up. */
export class ConcurrencyGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly options: GateOptions) {
    if (!Number.isInteger(options.concurrent) || options.concurrent < 1) throw new Error(`concurrent must be an integer ≥ 1, got ${options.concurrent}`);
    if (!Number.isInteger(options.queued) || options.queued < 0) throw new Error(`queued must be an integer ≥ 0, got ${options.queued}`);
  }

  /** Tasks running now. */
  get active(): number {
    return this.running;
  }

  /** Tasks waiting for a turn now. */
  get pending(): number {
    return this.waiting.length;
  }

  /** Runs `task` when a slot is free; throws ServiceUnavailableError (without running it) when the wait queue is full. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  /** Takes a slot, waiting in line for one if needed. */
  private acquire(): Promise<void> {
    if (this.running < this.options.concurrent) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.options.queued) {
      const { code, message, retryAfterSeconds } = this.options.refusal;
      return Promise.reject(new ServiceUnavailableError(code, message, retryAfterSeconds));
    }
    // The slot passes straight from the releasing task to the waiter, so `running` never dips and lets a newcomer jump the line.
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Hands the slot to the next waiter, or frees it. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}
