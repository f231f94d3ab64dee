import { getObject, mergePatchObject } from './client.js';
import { ConfigurationStateWriter } from './configuration-state-writer.js';
import type { ConditionInput, ConfigurationComponent } from './configuration-state.js';
import { isRecord } from './kube-object.js';
import { inNamespace, resourceTypes } from './resources.js';
import { countingClient, useTestApi } from '../../test/support/test-apiserver.js';

const { api, freshNamespace } = useTestApi();

const speaker: ConfigurationComponent = { kind: 'speaker', node: 'node1' };
const valid = { result: 'Valid', errorSummary: '' } as const;
const conditions = (applied: boolean): ConditionInput[] => [
  { type: 'configReconcilerValid', status: true, reason: 'Reconciled', message: 'configuration is valid' },
  { type: 'frrApplied', status: applied, reason: applied ? 'Applied' : 'FRRRejected', message: '' },
];

async function startedWriter(
  namespace: string,
  now: Date,
  client = api().client,
): Promise<ConfigurationStateWriter> {
  const writer = new ConfigurationStateWriter({ client, namespace, component: speaker, now: () => now });
  const started = await writer.start();
  if (!started.ok) throw new Error(started.error.message);
  return writer;
}

async function shownStatus(namespace: string): Promise<Record<string, unknown>> {
  const object = await getObject(
    api().client,
    inNamespace(resourceTypes.configurationStates, namespace),
    'speaker-node1',
  );
  if (!object.ok) throw new Error(object.error.message);
  return isRecord(object.value.status) ? object.value.status : {};
}

describe('ConfigurationStateWriter', () => {
  test('a restarted component keeps each transition time and sends nothing for the same state', async () => {
    const namespace = await freshNamespace('configstate');
    const first = await startedWriter(namespace, new Date('2026-01-01T00:00:00Z'));
    expect(await first.write(valid, conditions(true))).toEqual({ ok: true, value: 'created' });
    const written = await shownStatus(namespace);

    const client = countingClient(api().client);
    const second = await startedWriter(namespace, new Date('2026-01-01T01:00:00Z'), client);
    const afterStart = client.requests.length;
    expect(await second.write(valid, conditions(true))).toEqual({ ok: true, value: 'unchanged' });
    expect(client.requests.length).toBe(afterStart);

    expect(await second.write(valid, conditions(false))).toEqual({ ok: true, value: 'updated' });
    const times = ((await shownStatus(namespace)).conditions as Record<string, unknown>[]).map((c) => [
      c.type,
      c.lastTransitionTime,
    ]);
    expect(written.conditions).toHaveLength(2);
    expect(times).toEqual([
      ['configReconcilerValid', '2026-01-01T00:00:00Z'],
      ['frrApplied', '2026-01-01T01:00:00Z'],
    ]);
  });

  test('an object of an earlier run without the labels is adopted, labelled, and keeps its times', async () => {
    const namespace = await freshNamespace('configstate');
    const resource = inNamespace(resourceTypes.configurationStates, namespace);
    const first = await startedWriter(namespace, new Date('2026-01-01T00:00:00Z'));
    await first.write(valid, conditions(true));
    const unlabelled = await mergePatchObject(api().client, resource, 'speaker-node1', {
      metadata: { labels: { 'metallb.io/component-type': null, 'metallb.io/node-name': null } },
    });
    expect(unlabelled.ok && (unlabelled.value.metadata.labels ?? {})).toEqual({});

    const second = await startedWriter(namespace, new Date('2026-01-01T01:00:00Z'));
    expect(await second.write(valid, conditions(true))).toEqual({ ok: true, value: 'unchanged' });
    const object = await getObject(api().client, resource, 'speaker-node1');
    expect(object.ok && object.value.metadata.labels).toEqual({
      'metallb.io/component-type': 'speaker',
      'metallb.io/node-name': 'node1',
    });
    const times = ((await shownStatus(namespace)).conditions as Record<string, unknown>[]).map(
      (c) => c.lastTransitionTime,
    );
    expect(times).toEqual(['2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z']);
  });
});
