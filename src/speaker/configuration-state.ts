// The speaker's ConfigurationState conditions: whether its configuration is valid
// (`configReconcilerValid`) and whether FRR runs it (`frrApplied`, from the last apply's typed
// outcome). The object, and each condition's own transition time, come from the builder shared
// with the controller.
import { applySucceeded, describeApplyOutcome, type ApplyOutcome } from '../frr/apply/apply-outcome.js';
import type { ConditionInput, ConfigurationVerdict } from '../k8s/configuration-state.js';

export const CONFIG_CONDITION_TYPE = 'configReconcilerValid';
export const FRR_APPLIED_CONDITION_TYPE = 'frrApplied';

export interface SpeakerConfigurationStatus extends ConfigurationVerdict {
  /** the last FRR apply that did something; undefined before the first */
  readonly lastApply: ApplyOutcome | undefined;
}

export function speakerConditions(status: SpeakerConfigurationStatus): ConditionInput[] {
  const valid = status.result === 'Valid';
  // nothing applied yet is not a failure: FRR is left as it runs until a first valid config
  const applied = status.lastApply === undefined || applySucceeded(status.lastApply);
  return [
    {
      type: CONFIG_CONDITION_TYPE,
      status: valid,
      reason: valid ? 'Reconciled' : 'ConfigurationError',
      message: status.errorSummary === '' ? 'configuration is valid' : status.errorSummary,
    },
    {
      type: FRR_APPLIED_CONDITION_TYPE,
      status: applied,
      reason: applied ? 'Applied' : 'FRRRejected',
      message: status.lastApply === undefined ? 'none yet' : describeApplyOutcome(status.lastApply),
    },
  ];
}
