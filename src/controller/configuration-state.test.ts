import { configurationStateObject, type ConfigurationVerdict } from '../k8s/configuration-state.js';
import type { JsonObject } from '../k8s/status-writer.js';
import { configurationVerdict, controllerConditions } from './configuration-state.js';

function controllerConfigurationState(
  verdict: ConfigurationVerdict,
  previous: JsonObject | undefined,
  now: Date,
) {
  return configurationStateObject(
    { kind: 'controller' },
    verdict,
    controllerConditions(verdict),
    previous,
    now,
  );
}

const pool = { kind: 'IPAddressPool', namespace: 'metallb-system', name: 'overlap' };
const t0 = new Date('2026-01-01T00:00:00.123Z');
const t1 = new Date('2026-01-01T00:05:00Z');

describe('ConfigurationState controller', () => {
  test('valid: result Valid, condition poolReconcilerValid True/Reconciled, labelled as the controller', () => {
    const object = controllerConfigurationState(configurationVerdict([]), undefined, t0);
    expect(object).toEqual({
      key: 'controller',
      name: 'controller',
      labels: { 'metallb.io/component-type': 'controller' },
      status: {
        result: 'Valid',
        errorSummary: '',
        conditions: [
          {
            type: 'poolReconcilerValid',
            status: 'True',
            reason: 'Reconciled',
            message: '',
            lastTransitionTime: '2026-01-01T00:00:00Z',
          },
        ],
      },
    });
  });

  test('invalid: every error on its own line, naming object and field', () => {
    const verdict = configurationVerdict([
      { object: pool, field: 'spec.addresses[0]', message: 'overlaps' },
      { object: pool, field: '', message: 'is bad' },
    ]);
    expect(verdict).toEqual({
      result: 'Invalid',
      errorSummary:
        'IPAddressPool metallb-system/overlap: spec.addresses[0]: overlaps\nIPAddressPool metallb-system/overlap: is bad',
    });
    const object = controllerConfigurationState(verdict, undefined, t0);
    expect(object.status.conditions).toEqual([
      expect.objectContaining({
        status: 'False',
        reason: 'ConfigurationError',
        message: verdict.errorSummary,
      }),
    ]);
  });

  test('the transition time moves only when the result does, so a steady state is not rewritten', () => {
    const valid = controllerConfigurationState(configurationVerdict([]), undefined, t0);
    expect(controllerConfigurationState(configurationVerdict([]), valid.status, t1)).toEqual(valid);
    const invalid = controllerConfigurationState(
      configurationVerdict([{ object: pool, field: 'spec', message: 'x' }]),
      valid.status,
      t1,
    );
    expect(invalid.status.conditions).toEqual([
      expect.objectContaining({ lastTransitionTime: '2026-01-01T00:05:00Z' }),
    ]);
  });
});
