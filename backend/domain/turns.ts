/** Waiting for one's turn in a queue of promises, with a deadline and an abort signal (request budgets, locks). */

/** How a wait may end early, and with which errors. */
export interface TurnOptions {
  /** Stop waiting at this time (epoch ms). */
  deadline?: number;
  /** Stop waiting when this aborts. */
  signal?: AbortSignal;
  /** The error when the deadline passes first. */
  onTimeout: () => Error;
  /** The error when the signal aborts first (also when it already had). */
  onAbort: () => Error;
}

/** Resolves when `turn` does; rejects with `onAbort()` on abort or `onTimeout()` at the deadline, whichever comes first. */
export function waitForTurn(turn: Promise<void>, options: TurnOptions): Promise<void> {
  const { deadline, signal } = options;
  if (signal?.aborted) return Promise.reject(options.onAbort());
  if (deadline === undefined && signal === undefined) return turn;
  return new Promise<void>((resolve, reject) => {
    const finish = (settle: () => void): void => {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      settle();
    };
    const onAbort = (): void => finish(() => reject(options.onAbort()));
    // Unref'd: a waiting request must not keep a stopping process alive.
    const timer = deadline === undefined ? undefined : setTimeout(() => finish(() => reject(options.onTimeout())), Math.max(0, deadline - Date.now()));
    timer?.unref();
    signal?.addEventListener('abort', onAbort, { once: true });
    void turn.then(() => finish(resolve));
  });
}
