// Two load balancers side by side (issue 17): ferry runs with `--lb-class ferry.example/bgp` on the
// controller and every speaker; Services of another class (or of none) keep whatever status their own
// load balancer writes — here IPs inside ferry's own pool and a hostname — and never reach the ToRs.
// An ingress entry ferry's speakers cannot announce (a hostname beside the IP) withdraws that one
// Service, with a Warning Event, until ferry's controller writes the status back as IPs only.
import { jest } from '@jest/globals';
import { ClusterLab, type LabNode } from '../../src/lab/cluster-lab.js';
import { nextHopsAt } from '../../src/lab/tor-routes.js';
import { waitUntil } from '../../src/lab/wait-until.js';
import {
  documents,
  endpointSlice,
  kubectlJson,
  metallb,
  outcome,
  seedPeers,
  serviceYaml,
  sleep,
  startSpeakers,
  waitForIngress,
  waitForNodesAtBothTors,
} from './support.js';

jest.setTimeout(300_000);

const FERRY_CLASS = 'ferry.example/bgp';
const OTHER_CLASS = 'example.com/other';
const WEB_IP = '203.0.113.10';
const API_IP = '203.0.113.11';
/** written by the other load balancer, inside ferry's pool on purpose */
const OTHER_IP = '203.0.113.20';
/** written on a Service without a class by someone else (e.g. the previous load balancer) */
const PLAIN_IP = '203.0.113.30';

interface ServiceJson {
  readonly metadata: { readonly annotations?: Record<string, string> };
  readonly status?: { readonly loadBalancer?: { readonly ingress?: readonly Record<string, string>[] } };
}

describe('two load balancer classes side by side', () => {
  let lab: ClusterLab;
  let all: LabNode[];
  const flags = ['--lb-class', FERRY_CLASS];

  beforeAll(async () => {
    lab = await ClusterLab.create({ nodes: 2 });
    all = lab.nodes;
    await lab.apply(lab.nodeObjectsYaml());
    await lab.apply(
      documents(
        seedPeers(),
        metallb('IPAddressPool', 'shared-range', { addresses: ['203.0.113.0/26'] }),
        metallb('BGPAdvertisement', 'adv', { ipAddressPools: ['shared-range'] }),
      ),
    );
    await lab.apply(
      documents(
        serviceYaml({ name: 'web', ips: [WEB_IP], loadBalancerClass: FERRY_CLASS }),
        serviceYaml({ name: 'api', ips: [API_IP], loadBalancerClass: FERRY_CLASS }),
        serviceYaml({ name: 'other', loadBalancerClass: OTHER_CLASS }),
        serviceYaml({ name: 'plain' }),
        ...['web', 'api', 'other', 'plain'].map((name) => endpointSlice(name, [{ node: 'node-21' }])),
      ),
    );
    await lab.writeIngress('other', [{ ip: OTHER_IP }, { hostname: 'other.example.com' }]);
    await lab.writeIngress('plain', [{ ip: PLAIN_IP }]);
    lab.startController(flags);
    startSpeakers(lab, flags);
    await waitForIngress(lab, 'web');
    await waitForIngress(lab, 'api');
  });

  afterAll(async () => {
    expect(await lab?.destroy()).toEqual([]);
  });

  test("only ferry's class reaches the ToRs; the others' IPs and status stay as their owner wrote them", async () => {
    expect(outcome(await waitForNodesAtBothTors(lab, `${WEB_IP}/32`, all, 60_000))).toBe('ok');
    expect(outcome(await waitForNodesAtBothTors(lab, `${API_IP}/32`, all))).toBe('ok');
    // ferry's speakers had every chance to announce the others by now; give them a little more
    await sleep(1_000);
    for (const tor of lab.tors) {
      expect(await nextHopsAt(tor, `${OTHER_IP}/32`)).toEqual([]);
      expect(await nextHopsAt(tor, `${PLAIN_IP}/32`)).toEqual([]);
    }
    const other = await kubectlJson<ServiceJson>(lab, ['get', 'service', 'other', '-n', 'default']);
    expect(other.status?.loadBalancer?.ingress).toEqual([
      { ip: OTHER_IP, ipMode: 'VIP' },
      { hostname: 'other.example.com' },
    ]);
    expect(other.metadata.annotations?.['metallb.io/ip-allocated-from-pool']).toBeUndefined();
    const plain = await kubectlJson<ServiceJson>(lab, ['get', 'service', 'plain', '-n', 'default']);
    expect(plain.status?.loadBalancer?.ingress).toEqual([{ ip: PLAIN_IP, ipMode: 'VIP' }]);
    // the other load balancer's hostname is not ferry's business: no invalidIP Warning on it
    const events = await kubectlJson<{ items: { reason: string; involvedObject: { name: string } }[] }>(lab, [
      'get',
      'events',
      '-n',
      'default',
    ]);
    expect(events.items.filter((e) => ['other', 'plain'].includes(e.involvedObject.name))).toEqual([]);
  });

  test('a hostname beside the IP withdraws only that Service, with a Warning Event; the controller repairs the status', async () => {
    await lab.stopController();
    await lab.writeIngress('api', [{ ip: API_IP }, { hostname: 'api.example.com' }]);
    expect(outcome(await waitForNodesAtBothTors(lab, `${API_IP}/32`, []))).toBe('ok');
    expect(outcome(await waitForNodesAtBothTors(lab, `${WEB_IP}/32`, all))).toBe('ok');
    const warned = await waitUntil(
      async () => {
        const events = await kubectlJson<{
          items: { type: string; reason: string; message: string; source?: { component?: string } }[];
        }>(lab, ['get', 'events', '-n', 'default', '--field-selector', 'involvedObject.name=api']);
        const found = events.items.filter((e) => e.reason === 'invalidIP');
        return found.length === all.length
          ? { done: true, value: found }
          : { done: false, why: `${found.length} invalidIP events` };
      },
      { timeoutMs: 10_000, intervalMs: 200 },
    );
    expect(outcome(warned)).toBe('ok');
    for (const event of warned.ok ? warned.value : []) {
      expect(event).toMatchObject({ type: 'Warning', source: { component: 'metallb-speaker' } });
      expect(event.message).toMatch(
        /^not announcing from node "node-2[12]": status\.loadBalancer\.ingress: an entry has no ip/,
      );
    }
    // MetalLB's controller writes IPs only: once it runs again the hostname is gone and api is back
    lab.startController(flags);
    expect(outcome(await waitForNodesAtBothTors(lab, `${API_IP}/32`, all, 30_000))).toBe('ok');
    const api = await kubectlJson<ServiceJson>(lab, ['get', 'service', 'api', '-n', 'default']);
    expect(api.status?.loadBalancer?.ingress).toEqual([{ ip: API_IP, ipMode: 'VIP' }]);
  });
});
