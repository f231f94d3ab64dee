// Which configuration problems become Warning Events on the objects they name (what `kubectl describe
// l2advertisement X` shows): every distinct error or warning once while it lasts, not once per
// reconcile; one that goes away and comes back is reported again. Errors reject the configuration
// (the last valid one stays in force); warnings do not (an advertisement naming a pool that does not
// exist, as MetalLB accepts it, or a deprecated field).
import type { ConfigError } from '../config/types.js';
import type { ObjectRef } from '../util/object-ref.js';

export interface ConfigEvent {
  readonly object: ObjectRef;
  readonly reason: 'InvalidConfiguration' | 'ConfigurationWarning';
  readonly message: string;
}

export interface ConfigEventsResult {
  readonly events: readonly ConfigEvent[];
  /** what is reported now: pass it back on the next call */
  readonly reported: ReadonlySet<string>;
}

function at(problem: ConfigError): string {
  return `${problem.field === '' ? '' : `${problem.field}: `}${problem.message}`;
}

export function newConfigEvents(
  reported: ReadonlySet<string>,
  errors: readonly ConfigError[],
  warnings: readonly ConfigError[],
): ConfigEventsResult {
  const now = new Set<string>();
  const events: ConfigEvent[] = [];
  const consider = (problem: ConfigError, event: ConfigEvent) => {
    const key = JSON.stringify([event.reason, problem]);
    now.add(key);
    if (!reported.has(key)) events.push(event);
  };
  for (const error of errors)
    consider(error, {
      object: error.object,
      reason: 'InvalidConfiguration',
      message: `${at(error)}; the last valid configuration stays in force`,
    });
  for (const warning of warnings)
    consider(warning, { object: warning.object, reason: 'ConfigurationWarning', message: at(warning) });
  return { events, reported: now };
}
