// Is ferry's controller running, and does it accept the configuration? Read from what the
// controller writes: its Lease (renewed every few seconds while it leads) and ConfigurationState
// `controller` (Valid, or Invalid naming object and field).
import type { ClusterSnapshot } from './snapshot.js';

export const CONTROLLER_CONFIGURATION_STATE = 'controller';

export interface ControllerHealth {
  /** running: a fresh Lease; notRunning: expired or no trace of it; unknown: no Lease to judge by */
  readonly running: 'running' | 'notRunning' | 'unknown';
  readonly runningDetail: string;
  /** the controller's verdict on the pools; missing when it never wrote one */
  readonly configuration: 'Valid' | 'Invalid' | 'missing';
  /** the ConfigurationState's errorSummary when Invalid */
  readonly configurationMessage: string;
}

/** `93` → `1m33s`; ages in messages. */
export function age(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  if (whole < 60) return `${whole}s`;
  if (whole < 3600) return `${Math.floor(whole / 60)}m${whole % 60 === 0 ? '' : `${whole % 60}s`}`;
  return `${Math.floor(whole / 3600)}h${Math.floor((whole % 3600) / 60)}m`;
}

export function controllerHealth(snapshot: ClusterSnapshot): ControllerHealth {
  const state = snapshot.configurationStates.find((s) => s.name === CONTROLLER_CONFIGURATION_STATE);
  const configuration = state === undefined ? 'missing' : state.result === 'Valid' ? 'Valid' : 'Invalid';
  const configurationMessage = configuration === 'Invalid' ? (state?.errorSummary ?? '') : '';
  const lease = snapshot.controllerLease;
  if (lease === undefined) {
    return state === undefined
      ? {
          running: 'notRunning',
          runningDetail: `neither its Lease nor ConfigurationState ${CONTROLLER_CONFIGURATION_STATE} exists in ${snapshot.namespace}: the controller has never run against this cluster`,
          configuration,
          configurationMessage,
        }
      : {
          running: 'unknown',
          runningDetail:
            'it runs without leader election (no Lease), so whether it still runs cannot be told',
          configuration,
          configurationMessage,
        };
  }
  if (lease.renewTime === undefined || lease.holder === '') {
    return {
      running: 'notRunning',
      runningDetail: `Lease ${lease.name} has no holder: no controller replica leads`,
      configuration,
      configurationMessage,
    };
  }
  const since = (snapshot.now.getTime() - lease.renewTime.getTime()) / 1000;
  if (since > lease.durationSeconds) {
    return {
      running: 'notRunning',
      runningDetail: `Lease ${lease.name} was last renewed ${age(since)} ago by ${lease.holder} (it expires after ${lease.durationSeconds}s): no controller replica is leading`,
      configuration,
      configurationMessage,
    };
  }
  return {
    running: 'running',
    runningDetail: `${lease.holder} leads (Lease ${lease.name} renewed ${age(since)} ago)`,
    configuration,
    configurationMessage,
  };
}
