// The controller's ConfigurationState (`controller`): whether it accepted the pool configuration,
// with every rejection naming object and field, one per line, under MetalLB's condition type for
// the pool reconciler. The object itself comes from the builder shared with the speaker.
import { formatConfigError } from '../config/problem.js';
import type { ConfigError } from '../config/types.js';
import type { ConditionInput, ConfigurationVerdict } from '../k8s/configuration-state.js';

/** MetalLB's controller reconciles pools; its condition type says so. */
export const POOL_CONDITION_TYPE = 'poolReconcilerValid';

export function configurationVerdict(errors: readonly ConfigError[]): ConfigurationVerdict {
  if (errors.length === 0) return { result: 'Valid', errorSummary: '' };
  return { result: 'Invalid', errorSummary: errors.map(formatConfigError).join('\n') };
}

export function controllerConditions(verdict: ConfigurationVerdict): ConditionInput[] {
  const valid = verdict.result === 'Valid';
  return [
    {
      type: POOL_CONDITION_TYPE,
      status: valid,
      reason: valid ? 'Reconciled' : 'ConfigurationError',
      message: verdict.errorSummary,
    },
  ];
}
