// MetalLB's ConfigurationState (metallb.io/v1beta1), for the controller (`controller`) and each
// speaker (`speaker-<node>`): the result of reading the configuration, every rejection naming object
// and field, and one condition per concern. Pure: the shells write the object through a
// StatusWriter, which sends nothing when it did not change.
//
// As Kubernetes conditions go, each condition's `lastTransitionTime` moves only when that
// condition's own status changes: a speaker whose FRR apply fails does not restamp the validity of
// its configuration.
import type { DesiredStatusObject, JsonObject } from './status-writer.js';

export const COMPONENT_TYPE_LABEL = 'metallb.io/component-type';
export const NODE_NAME_LABEL = 'metallb.io/node-name';
export const CONTROLLER_CONFIGURATION_STATE = 'controller';

export type ConfigurationResult = 'Valid' | 'Invalid' | 'Unknown';

/** Whether a component accepted its configuration, and if not, why (one error per line or `; `). */
export interface ConfigurationVerdict {
  readonly result: ConfigurationResult;
  /** errors naming object and field; '' when valid */
  readonly errorSummary: string;
}

/** Whose state it is: the object's name and labels follow from it. */
export type ConfigurationComponent =
  { readonly kind: 'controller' } | { readonly kind: 'speaker'; readonly node: string };

/** One condition as the component sees it now; its transition time is the builder's business. */
export interface ConditionInput {
  readonly type: string;
  readonly status: boolean;
  readonly reason: string;
  readonly message: string;
}

interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False';
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: string;
}

/** Kubernetes condition times have a resolution of seconds. */
function conditionTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function previousConditions(previous: JsonObject | undefined): readonly Partial<Condition>[] {
  const conditions = previous?.conditions;
  return Array.isArray(conditions) ? (conditions as Partial<Condition>[]) : [];
}

export function configurationStateName(component: ConfigurationComponent): string {
  return component.kind === 'controller' ? CONTROLLER_CONFIGURATION_STATE : `speaker-${component.node}`;
}

/** The labels a component's ConfigurationState carries (and its StatusWriter selects by). */
export function configurationStateLabels(component: ConfigurationComponent): Record<string, string> {
  return component.kind === 'controller'
    ? { [COMPONENT_TYPE_LABEL]: 'controller' }
    : { [COMPONENT_TYPE_LABEL]: 'speaker', [NODE_NAME_LABEL]: component.node };
}

/**
 * The object to write. `previous` is the status as last written or seen: a condition whose status
 * is unchanged keeps its transition time, so a steady state causes no write.
 */
export function configurationStateObject(
  component: ConfigurationComponent,
  verdict: ConfigurationVerdict,
  conditions: readonly ConditionInput[],
  previous: JsonObject | undefined,
  now: Date,
): DesiredStatusObject {
  const before = previousConditions(previous);
  const stamped = conditions.map((condition): Condition => {
    const status = condition.status ? 'True' : 'False';
    const last = before.find((old) => old.type === condition.type);
    const lastTransitionTime =
      last?.status === status && typeof last.lastTransitionTime === 'string'
        ? last.lastTransitionTime
        : conditionTime(now);
    return { ...condition, status, lastTransitionTime };
  });
  const name = configurationStateName(component);
  return {
    key: name,
    name,
    labels: configurationStateLabels(component),
    status: { result: verdict.result, errorSummary: verdict.errorSummary, conditions: stamped },
  };
}
