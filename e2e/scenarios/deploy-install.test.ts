// ferry installed the way a cluster installs it: `kubectl apply -k deploy/`, then the lab's kubelet
// runs the speaker DaemonSet's and the controller Deployment's pods from those manifests. Their
// Pods report the probes (READY), the speaker knows its pod through the downward API, and when a
// rule is taken out of deploy/rbac the restarted speaker fails with the API server's 403 in its
// log and turns unready.
import { jest } from '@jest/globals';
import { stringify as stringifyYaml, parse as parseYaml } from 'yaml';
import { ClusterLab } from '../../src/lab/cluster-lab.js';
import type { Kubelet } from '../../src/lab/kubelet.js';
import { waitUntil } from '../../src/lab/wait-until.js';

jest.setTimeout(180_000);

const ns = 'metallb-system';
let lab: ClusterLab;
let kubelet: Kubelet;

beforeAll(async () => {
  lab = await ClusterLab.create({ nodes: 1, preloadCrds: false });
  kubelet = await lab.installFerry();
});

afterAll(async () => {
  expect(await lab?.destroy()).toEqual([]);
});

/** `kubectl get pods -n metallb-system` rows by pod name prefix: `READY STATUS RESTARTS`. */
async function podRows(): Promise<Map<string, string>> {
  const out = await lab.kubectl(['get', 'pods', '-n', ns, '--no-headers']);
  return new Map(
    String(out.stdout)
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const [name = '', ready = '', status = '', restarts = ''] = line.split(/\s+/);
        return [name.replace(/-[0-9a-f]{5}$/, ''), `${ready} ${status} ${restarts}`];
      }),
  );
}

async function waitForPods(expected: Record<string, string>, timeoutMs = 60_000): Promise<void> {
  const result = await waitUntil(
    async () => {
      const rows = Object.fromEntries(await podRows());
      return JSON.stringify(rows) === JSON.stringify(expected)
        ? { done: true, value: rows }
        : { done: false, why: JSON.stringify(rows) };
    },
    { timeoutMs, intervalMs: 500 },
  );
  expect(result.ok ? expected : result.last).toEqual(expected);
}

test('the speaker and controller pods run from deploy/ and turn Ready through their probes', async () => {
  await waitForPods({ 'ferry-controller': '1/1 Running 0', 'ferry-speaker': '2/2 Running 0' });
  const speaker = kubelet.running.find((pod) => pod.name.startsWith('ferry-speaker-'));
  expect(speaker?.placement.nodeName).toBe('node-21');
  // the downward API: the speaker owns its ConfigurationState through POD_NAME and POD_UID
  const uid = String(
    (await lab.kubectl(['get', 'pod', speaker?.name ?? '', '-n', ns, '-o', 'jsonpath={.metadata.uid}']))
      .stdout,
  );
  const owners = await lab.kubectl([
    'get',
    'configurationstates',
    'speaker-node-21',
    '-n',
    ns,
    '-o',
    'jsonpath={.metadata.ownerReferences[*].uid}',
  ]);
  expect(String(owners.stdout)).toBe(uid);
});

test('without the secrets rule of deploy/rbac, the restarted speaker logs the 403 and is not ready', async () => {
  const role = parseYaml(
    String((await lab.kubectl(['get', 'role', 'ferry-speaker', '-n', ns, '-o', 'yaml'])).stdout),
  ) as { rules: { resources: string[] }[]; metadata: Record<string, unknown> };
  role.rules = role.rules.filter((rule) => !rule.resources.includes('secrets'));
  role.metadata = { name: 'ferry-speaker', namespace: ns };
  await lab.apply(stringifyYaml(role));
  const speaker = kubelet.running.find((pod) => pod.name.startsWith('ferry-speaker-'));
  if (speaker === undefined) throw new Error('no speaker pod');
  expect(kubelet.crashContainer(speaker.name, 'ferry')).toBe(true);
  const message =
    'secrets is forbidden: User \\"system:serviceaccount:metallb-system:ferry-speaker\\" cannot list resource \\"secrets\\" in API group \\"\\" in the namespace \\"metallb-system\\"';
  const logged = await waitUntil(
    async () =>
      speaker.log().includes(message) ? { done: true, value: true } : { done: false, why: 'no 403 yet' },
    { timeoutMs: 30_000 },
  );
  expect(logged.ok).toBe(true);
  await waitForPods({ 'ferry-controller': '1/1 Running 0', 'ferry-speaker': '1/2 Running 1' });
});
