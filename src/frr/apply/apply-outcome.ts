// What an FRR apply came to, as a value: the sync loop reports it, the speaker keeps the last one for
// its ConfigurationState, Events and logs. One sentence for people is derived from it here; nothing
// reads that sentence back.
import type { ApplyError, ApplyMethod } from './applier.js';

export type ApplyOutcome =
  /** `reason`: why this method (`incremental`, `start`, what made the plan need a reload); redacted */
  | { readonly kind: 'applied'; readonly method: ApplyMethod; readonly reason: string }
  /** FRR did not run what ferry applied last, and now does again */
  | { readonly kind: 'drift-repaired'; readonly method: ApplyMethod }
  /** FRR's parser refused the desired config; the last good config keeps running */
  | { readonly kind: 'invalid'; readonly error: ApplyError }
  /** FRR refused part of it while applying; `rolledBack` says whether the last good config is back */
  | {
      readonly kind: 'failed';
      readonly method: ApplyMethod;
      readonly error: ApplyError;
      readonly rolledBack: boolean;
    };

/** FRR runs the desired config after this apply. */
export function applySucceeded(outcome: ApplyOutcome): boolean {
  return outcome.kind === 'applied' || outcome.kind === 'drift-repaired';
}

/** The outcome alone, without what a particular report adds (trigger, timings, retry delay). */
export function applyOutcomeOf(outcome: ApplyOutcome): ApplyOutcome {
  switch (outcome.kind) {
    case 'applied':
      return { kind: 'applied', method: outcome.method, reason: outcome.reason };
    case 'drift-repaired':
      return { kind: 'drift-repaired', method: outcome.method };
    case 'invalid':
      return { kind: 'invalid', error: outcome.error };
    case 'failed':
      return { kind: 'failed', method: outcome.method, error: outcome.error, rolledBack: outcome.rolledBack };
  }
}

/** One line for people: `success (incremental, incremental)`, or FRR's message (already redacted). */
export function describeApplyOutcome(outcome: ApplyOutcome): string {
  switch (outcome.kind) {
    case 'applied':
      return `success (${outcome.method}, ${outcome.reason})`;
    case 'drift-repaired':
      return `success (drift repaired with ${outcome.method})`;
    case 'invalid': {
      const line = outcome.error.lineText === undefined ? '' : ` (line: ${outcome.error.lineText})`;
      return `rejected by FRR's parser: ${outcome.error.message}${line}`;
    }
    case 'failed':
      return `failed (${outcome.method}${outcome.rolledBack ? ', rolled back' : ''}): ${outcome.error.message}`;
  }
}
