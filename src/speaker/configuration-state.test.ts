import type { ApplyOutcome } from '../frr/apply/apply-outcome.js';
import { configurationStateObject } from '../k8s/configuration-state.js';
import type { JsonObject } from '../k8s/status-writer.js';
import { speakerConditions, type SpeakerConfigurationStatus } from './configuration-state.js';

const t0 = new Date('2026-01-01T00:00:00.456Z');
const t1 = new Date('2026-01-01T00:05:00Z');
const t2 = new Date('2026-01-01T00:09:00Z');

const applied: ApplyOutcome = { kind: 'applied', method: 'incremental', reason: 'incremental' };
const rejected: ApplyOutcome = {
  kind: 'invalid',
  error: { kind: 'syntax', message: '% Unknown command', line: 3, lineText: 'bgp bogus 42' },
};
const failed: ApplyOutcome = {
  kind: 'failed',
  method: 'reload',
  error: { kind: 'rejected', message: 'frr-reload.py exited 1', line: undefined, lineText: undefined },
  rolledBack: true,
};

const valid = { result: 'Valid', errorSummary: '' } as const;

function state(status: SpeakerConfigurationStatus, previous: JsonObject | undefined, now: Date) {
  return configurationStateObject(
    { kind: 'speaker', node: 'node-21' },
    status,
    speakerConditions(status),
    previous,
    now,
  );
}

function condition(status: JsonObject, type: string): Record<string, unknown> | undefined {
  return (status.conditions as Record<string, unknown>[]).find((c) => c.type === type);
}

describe('ConfigurationState speaker-<node>', () => {
  test('valid and applied: both conditions True, named and labelled for the node', () => {
    expect(state({ ...valid, lastApply: applied }, undefined, t0)).toEqual({
      key: 'speaker-node-21',
      name: 'speaker-node-21',
      labels: { 'metallb.io/component-type': 'speaker', 'metallb.io/node-name': 'node-21' },
      status: {
        result: 'Valid',
        errorSummary: '',
        conditions: [
          {
            type: 'configReconcilerValid',
            status: 'True',
            reason: 'Reconciled',
            message: 'configuration is valid',
            lastTransitionTime: '2026-01-01T00:00:00Z',
          },
          {
            type: 'frrApplied',
            status: 'True',
            reason: 'Applied',
            message: 'success (incremental, incremental)',
            lastTransitionTime: '2026-01-01T00:00:00Z',
          },
        ],
      },
    });
  });

  test('before the first apply FRR is not reported as refusing anything', () => {
    const object = state({ ...valid, lastApply: undefined }, undefined, t0);
    expect(condition(object.status, 'frrApplied')).toMatchObject({
      status: 'True',
      reason: 'Applied',
      message: 'none yet',
    });
  });

  test("FRR's refusal in words: the parser's message with its line, or the failed method", () => {
    expect(
      condition(state({ ...valid, lastApply: rejected }, undefined, t0).status, 'frrApplied'),
    ).toMatchObject({
      status: 'False',
      reason: 'FRRRejected',
      message: "rejected by FRR's parser: % Unknown command (line: bgp bogus 42)",
    });
    expect(
      condition(state({ ...valid, lastApply: failed }, undefined, t0).status, 'frrApplied'),
    ).toMatchObject({
      status: 'False',
      message: 'failed (reload, rolled back): frr-reload.py exited 1',
    });
  });

  test('frrApplied flipping moves only its own transition time, not configReconcilerValid', () => {
    const first = state({ ...valid, lastApply: applied }, undefined, t0);
    const refused = state({ ...valid, lastApply: rejected }, first.status, t1);
    expect(condition(refused.status, 'configReconcilerValid')?.lastTransitionTime).toBe(
      '2026-01-01T00:00:00Z',
    );
    expect(condition(refused.status, 'frrApplied')?.lastTransitionTime).toBe('2026-01-01T00:05:00Z');
    const recovered = state({ ...valid, lastApply: applied }, refused.status, t2);
    expect(condition(recovered.status, 'configReconcilerValid')?.lastTransitionTime).toBe(
      '2026-01-01T00:00:00Z',
    );
    expect(condition(recovered.status, 'frrApplied')?.lastTransitionTime).toBe('2026-01-01T00:09:00Z');
  });

  test('the configuration turning Invalid moves only configReconcilerValid; a steady state is unchanged', () => {
    const first = state({ ...valid, lastApply: applied }, undefined, t0);
    expect(state({ ...valid, lastApply: applied }, first.status, t1)).toEqual(first);
    const invalid = state(
      {
        result: 'Invalid',
        errorSummary: 'BGPPeer metallb-system/tor1: spec.holdTime: bad',
        lastApply: applied,
      },
      first.status,
      t1,
    );
    expect(condition(invalid.status, 'configReconcilerValid')).toMatchObject({
      status: 'False',
      reason: 'ConfigurationError',
      message: 'BGPPeer metallb-system/tor1: spec.holdTime: bad',
      lastTransitionTime: '2026-01-01T00:05:00Z',
    });
    expect(condition(invalid.status, 'frrApplied')?.lastTransitionTime).toBe('2026-01-01T00:00:00Z');
  });
});
