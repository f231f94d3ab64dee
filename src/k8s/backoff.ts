// Exponential backoff with jitter and a cap, for restarting lists and watches. Pure: the random
// source is injected so tests can pin it.

export interface BackoffPolicy {
  /** Delay before the first retry. */
  readonly initialMs: number;
  /** No delay is ever longer than this. */
  readonly maxMs: number;
  /** Growth per consecutive failure (default 2). */
  readonly factor?: number;
  /**
   * Fraction of the delay that is random (default 0.5): the delay is drawn from
   * [d·(1−jitter), d]. Many speakers restarting together then do not hit the API server in lockstep.
   */
  readonly jitter?: number;
}

export const defaultBackoff: BackoffPolicy = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.5 };

/** The delay before retry number `attempt` (1 = first retry after one failure). */
export function backoffDelay(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const factor = policy.factor ?? 2;
  const jitter = Math.min(Math.max(policy.jitter ?? 0.5, 0), 1);
  const exponent = Math.max(attempt - 1, 0);
  const ceiling = Math.min(policy.maxMs, policy.initialMs * Math.pow(factor, Math.min(exponent, 64)));
  return Math.round(ceiling * (1 - jitter * random()));
}
