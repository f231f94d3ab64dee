import { listObjects } from '../k8s/client.js';
import { silentLogger } from '../k8s/logger.js';
import { inNamespace, resourceTypes } from '../k8s/resources.js';
import { useTestApi } from '../../test/support/test-apiserver.js';
import { createKubeStatusSink } from './kube-status-sink.js';
import type { SessionStatus } from './session-status.js';

const { api, freshNamespace } = useTestApi();

const SESSION: SessionStatus = {
  peerName: 'tor1',
  node: 'node1',
  peer: '192.0.2.1',
  vrf: '',
  bgpStatus: 'Established',
  bfdStatus: 'N/A',
  uptime: '5s',
  prefixesSent: 3,
  prefixesReceived: 0,
  lastError: '',
  bfdTimers: undefined,
};

const sinkIn = (namespace: string) =>
  createKubeStatusSink({ client: api().client, namespace, nodeName: 'node1', logger: silentLogger() });

describe('Kubernetes status sink', () => {
  afterEach(() => api().server.faults.clear());

  test('a start while the API server fails is retried, and writes wait for it instead of failing', async () => {
    const namespace = await freshNamespace('sink');
    const sink = sinkIn(namespace);
    // the first two lists fail (a speaker starting during an API server outage)
    api().server.faults.failRequests({ match: (r) => r.method === 'GET' && !r.watch, count: 2 });
    const started = sink.start();
    const written = sink.sessions([SESSION]);
    await expect(started).resolves.toBeUndefined();
    await expect(written).resolves.toBeUndefined();
    const listed = await listObjects(api().client, inNamespace(resourceTypes.bgpSessionStates, namespace));
    expect(listed.ok && listed.value.items.map((o) => o.status)).toEqual([
      expect.objectContaining({ peer: '192.0.2.1', bgpStatus: 'Established', prefixesSent: 3 }),
    ]);
  });

  test('stopped before it could list, writes fail as values (no duplicates of unseen objects)', async () => {
    const namespace = await freshNamespace('sink');
    const sink = sinkIn(namespace);
    api().server.faults.failRequests({ match: (r) => r.method === 'GET' && !r.watch });
    const started = sink.start();
    sink.stop();
    await expect(started).resolves.toBeUndefined();
    await expect(sink.sessions([SESSION])).rejects.toThrow(/stopped before the status objects/);
  });
});
