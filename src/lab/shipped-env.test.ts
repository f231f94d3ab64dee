import { processSettingsOf, shippedSpeakerSettings } from './shipped-env.js';

test("the ferry container's literal NODE_OPTIONS and MALLOC_* only", () => {
  const manifest = [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata: {name: x}',
    '---',
    'apiVersion: apps/v1',
    'kind: DaemonSet',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: frr',
    '          env: [{name: MALLOC_ARENA_MAX, value: "8"}]',
    '        - name: ferry',
    '          env:',
    '            - {name: NODE_NAME, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}',
    '            - {name: NODE_OPTIONS, value: --max-old-space-size=100}',
    '            - {name: MALLOC_ARENA_MAX, value: "2"}',
    '            - {name: FERRY_LB_CLASS, value: x}',
  ].join('\n');
  expect(processSettingsOf(manifest)).toEqual({
    NODE_OPTIONS: '--max-old-space-size=100',
    MALLOC_ARENA_MAX: '2',
  });
});

test('deploy/speaker.yaml caps the heap and the malloc arenas', () => {
  const shipped = shippedSpeakerSettings();
  expect(shipped['NODE_OPTIONS']).toMatch(/--max-old-space-size=\d+/);
  expect(shipped['MALLOC_ARENA_MAX']).toBe('2');
});
