import { toSpeakerPodInfo } from './cluster-objects.js';

describe('toSpeakerPodInfo', () => {
  const pod = (metadata: Record<string, unknown>, status: Record<string, unknown>) => ({
    metadata: { name: 'ferry-speaker-abcde', namespace: 'metallb-system', ...metadata },
    spec: { nodeName: 'node-21' },
    status,
  });
  const ready = (value: string) => ({ conditions: [{ type: 'Ready', status: value }] });
  test.each([
    ['Ready', pod({}, ready('True')), true, false],
    ['not Ready (container exited)', pod({}, ready('False')), false, false],
    ['no conditions yet (pending)', pod({}, {}), false, false],
    [
      'Ready but being deleted (rolling update)',
      pod({ deletionTimestamp: '2026-12-06T10:00:00Z' }, ready('True')),
      false,
      true,
    ],
  ])('%s', (_name, object, expected, deleting) => {
    const parsed = toSpeakerPodInfo(object);
    expect(parsed.value).toEqual({
      name: 'ferry-speaker-abcde',
      nodeName: 'node-21',
      ready: expected,
      deleting,
    });
    expect(parsed.problems).toEqual([]);
  });
});
