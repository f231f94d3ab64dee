// Fault injection state: which requests to fail or delay next. The server consults it per request.

export interface RequestInfo {
  method: string;
  path: string;
  watch: boolean;
}

export interface FaultRule {
  /** Only requests for which this returns true are affected; all requests by default. */
  match?: (request: RequestInfo) => boolean;
  /** Affect this many requests, then stop (default: until `forMs` passes or `clear()`). */
  count?: number;
  /** Affect requests for this long. */
  forMs?: number;
}

interface ActiveRule {
  rule: FaultRule;
  until: number;
  remaining: number;
  status?: number;
  delayMs?: number;
}

export type FaultDecision =
  { kind: 'none' } | { kind: 'fail'; status: number } | { kind: 'hang'; delayMs: number };

export class FaultPlan {
  private rules: ActiveRule[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  failRequests(rule: FaultRule & { status?: number }): void {
    this.add(rule, { status: rule.status ?? 503 });
  }

  hangRequests(rule: FaultRule & { ms: number }): void {
    this.add(rule, { delayMs: rule.ms });
  }

  clear(): void {
    this.rules = [];
  }

  decide(request: RequestInfo): FaultDecision {
    const now = this.now();
    this.rules = this.rules.filter((r) => r.remaining > 0 && r.until > now);
    const active = this.rules.find((r) => r.rule.match?.(request) ?? true);
    if (!active) return { kind: 'none' };
    active.remaining--;
    if (active.status !== undefined) return { kind: 'fail', status: active.status };
    return { kind: 'hang', delayMs: active.delayMs ?? 0 };
  }

  private add(rule: FaultRule, effect: { status?: number; delayMs?: number }): void {
    this.rules.push({
      rule,
      until: rule.forMs === undefined ? Infinity : this.now() + rule.forMs,
      remaining: rule.count ?? Infinity,
      ...effect,
    });
  }
}
