// Polling for lab conditions (a session Established, a route at the ToR): FRR offers no events to wait on.

export interface WaitOptions {
  readonly timeoutMs: number;
  /** default 100 ms */
  readonly intervalMs?: number;
}

export type WaitResult<T> =
  | { readonly ok: true; readonly value: T; readonly elapsedMs: number }
  | { readonly ok: false; readonly last: string; readonly elapsedMs: number };

/**
 * Calls `probe` until it returns `{ done: true, value }` or time runs out; `last` keeps the probe's
 * last explanation of why it is not done yet, for the failure message.
 */
export async function waitUntil<T>(
  probe: () => Promise<
    { readonly done: true; readonly value: T } | { readonly done: false; readonly why: string }
  >,
  options: WaitOptions,
): Promise<WaitResult<T>> {
  const started = performance.now();
  let last = 'never probed';
  for (;;) {
    const outcome = await probe();
    const elapsedMs = performance.now() - started;
    if (outcome.done) return { ok: true, value: outcome.value, elapsedMs };
    last = outcome.why;
    if (elapsedMs >= options.timeoutMs) return { ok: false, last, elapsedMs };
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}
