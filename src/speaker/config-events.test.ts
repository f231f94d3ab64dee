import { newConfigEvents } from './config-events.js';

const adv = { kind: 'L2Advertisement', namespace: 'metallb-system', name: 'l2' };
const badSelector = {
  object: adv,
  field: 'spec.nodeSelectors[0].matchExpressions[0].values',
  message: 'values must be non-empty for operator In',
};
const unknownPool = {
  object: adv,
  field: 'spec.ipAddressPools[0]',
  message: 'IPAddressPool "missing" does not exist or is invalid; nothing is announced for it',
};

describe('newConfigEvents', () => {
  it('reports errors and warnings on the object they name, with the field', () => {
    expect(newConfigEvents(new Set(), [badSelector], [unknownPool]).events).toEqual([
      {
        object: adv,
        reason: 'InvalidConfiguration',
        message:
          'spec.nodeSelectors[0].matchExpressions[0].values: values must be non-empty for operator In; the last valid configuration stays in force',
      },
      {
        object: adv,
        reason: 'ConfigurationWarning',
        message:
          'spec.ipAddressPools[0]: IPAddressPool "missing" does not exist or is invalid; nothing is announced for it',
      },
    ]);
  });

  it('reports each problem once while it lasts, and again when it comes back', () => {
    const first = newConfigEvents(new Set(), [], [unknownPool]);
    const again = newConfigEvents(first.reported, [], [unknownPool]);
    expect(again.events).toEqual([]);
    const gone = newConfigEvents(again.reported, [], []);
    expect(gone.events).toEqual([]);
    expect(newConfigEvents(gone.reported, [], [unknownPool]).events).toHaveLength(1);
  });

  it('a whole-object problem has no field prefix', () => {
    const whole = { object: adv, field: '', message: 'bad' };
    expect(newConfigEvents(new Set(), [whole], []).events[0]?.message).toBe(
      'bad; the last valid configuration stays in force',
    );
  });
});
