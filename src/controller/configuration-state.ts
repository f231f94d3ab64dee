// The ConfigurationState named `controller` (metallb.io/v1beta1): whether the controller accepted
// the pool configuration, with every rejection naming object and field, one per line. Pure: the
// shell writes it through the StatusWriter, which sends nothing when it did not change, so the
// condition's `lastTransitionTime` moves only when the result does.
import { formatConfigError } from '../config/problem.js';
import type { ConfigError } from '../config/types.js';
import type { DesiredStatusObject, JsonObject } from '../k8s/status-writer.js';

export const CONFIGURATION_STATE_NAME = 'controller';
export const COMPONENT_TYPE_LABEL = 'metallb.io/component-type';
/** MetalLB's controller reconciles pools; its condition type says so. */
export const POOL_CONDITION_TYPE = 'poolReconcilerValid';

export interface ConfigurationVerdict {
  readonly result: 'Valid' | 'Invalid';
  readonly errorSummary: string;
}

export function configurationVerdict(errors: readonly ConfigError[]): ConfigurationVerdict {
  if (errors.length === 0) return { result: 'Valid', errorSummary: '' };
  return { result: 'Invalid', errorSummary: errors.map(formatConfigError).join('\n') };
}

interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False';
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: string;
}

function previousCondition(previous: JsonObject | undefined): Condition | undefined {
  const conditions = previous?.conditions;
  if (!Array.isArray(conditions)) return undefined;
  return (conditions as Condition[]).find((condition) => condition.type === POOL_CONDITION_TYPE);
}

/**
 * The object to write. `previous` is the status as last written or seen, so that an unchanged
 * verdict keeps its transition time (and causes no write).
 */
export function configurationStateObject(
  verdict: ConfigurationVerdict,
  previous: JsonObject | undefined,
  now: Date,
): DesiredStatusObject {
  const status: Condition['status'] = verdict.result === 'Valid' ? 'True' : 'False';
  const reason = verdict.result === 'Valid' ? 'Reconciled' : 'ConfigurationError';
  const before = previousCondition(previous);
  const lastTransitionTime =
    before !== undefined && before.status === status
      ? before.lastTransitionTime
      : now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const condition: Condition = {
    type: POOL_CONDITION_TYPE,
    status,
    reason,
    message: verdict.errorSummary,
    lastTransitionTime,
  };
  return {
    key: CONFIGURATION_STATE_NAME,
    name: CONFIGURATION_STATE_NAME,
    labels: { [COMPONENT_TYPE_LABEL]: 'controller' },
    status: { result: verdict.result, errorSummary: verdict.errorSummary, conditions: [condition] },
  };
}
