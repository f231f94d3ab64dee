import { ferryCrdValidator } from '../api/load-directory.js';
import {
  configurationState,
  endpointSlice,
  labCluster,
  lease,
  object,
  NOW,
  pool,
  service,
  serviceStatus,
  session,
} from '../../test/support/lab-cluster.js';
import type { KubeObject } from '../k8s/kube-object.js';
import { explainText } from './explain-text.js';
import { diagnoseService, pendingServices, type ServiceDiagnosis } from './service-diagnosis.js';
import { snapshotOf, type ClusterObjects, type ClusterSnapshot } from './snapshot.js';
import { noColour } from './table.js';

const options = { lbClass: '', ignoreExcludeLB: false };

function snapshot(objects: ClusterObjects): ClusterSnapshot {
  return snapshotOf(objects, ferryCrdValidator(), { namespace: 'metallb-system', now: NOW });
}

function explain(objects: ClusterObjects, name = 'web'): ServiceDiagnosis {
  const shot = snapshot(objects);
  const found = shot.resources.services.find((s) => s.name === name);
  if (found === undefined) throw new Error(`no Service ${name} in the test cluster`);
  return diagnoseService(shot, found, options);
}

function withServices(...services: KubeObject[]): ClusterObjects {
  const lab = labCluster();
  return { ...lab, services: [...lab.services, ...services] };
}

describe('IP assignment', () => {
  test('the lab: web is assigned from prod-pool, announced by node-21 and node-22, and everyone agrees', () => {
    const d = explain(labCluster());
    expect(d.assignment).toMatchObject({ verdict: 'assigned', ips: ['203.0.113.5'], pool: 'prod-pool' });
    expect(d.assignment.controller.running).toBe('running');
    expect(d.nodes.map((n) => [n.node, n.bgp.decisions[0]?.reason])).toEqual([
      ['node-21', ''],
      ['node-22', ''],
      ['node-23', 'noLocalEndpoints'],
    ]);
    expect(d.nodes[0]?.bgp.routes).toEqual([
      {
        prefix: '203.0.113.5/32',
        peer: 'tor1',
        communities: ['65000:100'],
        localPref: 100,
        advertisements: ['prod-adv'],
      },
      {
        prefix: '203.0.113.5/32',
        peer: 'tor2',
        communities: ['65000:100'],
        localPref: 100,
        advertisements: ['prod-adv'],
      },
    ]);
    expect(d.disagreements).toEqual([]);
    expect(d.healthy).toBe(true);
  });

  test.each<[string, KubeObject, string, RegExp]>([
    [
      'no autoAssign pool',
      service('manual'),
      'noAutoAssignPool',
      /no IPAddressPool has autoAssign \(prod-pool\): request one with metallb.io\/address-pool/,
    ],
  ])('%s', (_, extra, cause, message) => {
    const lab = withServices(extra);
    const d = explain(
      { ...lab, ipAddressPools: [pool('prod-pool', { addresses: ['203.0.113.0/24'], autoAssign: false })] },
      'manual',
    );
    expect(d.assignment).toMatchObject({ verdict: 'cannotAssign', cause });
    expect(d.assignment.message).toMatch(message);
  });

  test.each<[string, KubeObject, string, RegExp]>([
    [
      'requested pool unknown',
      service('unknown-pool', { annotations: { 'metallb.io/address-pool': 'gold' } }),
      'unknownPool',
      /asks for pool gold, which does not exist \(pools: prod-pool\)/,
    ],
    [
      'requested IP outside every pool',
      service('outside', { annotations: { 'metallb.io/loadBalancerIPs': '198.51.100.77' } }),
      'ipOutsidePools',
      /the requested 198.51.100.77 is in no IPAddressPool \(prod-pool\)/,
    ],
    [
      'requested IP held by another Service that does not share',
      service('taken', { annotations: { 'metallb.io/loadBalancerIPs': '203.0.113.5' } }),
      'sharingConflict',
      /the requested 203.0.113.5 is held by default\/web: .*does not allow sharing/,
    ],
    [
      'port conflict on a shared IP',
      service('same-port', {
        annotations: { 'metallb.io/loadBalancerIPs': '203.0.113.9', 'metallb.io/allow-shared-ip': 'k' },
        spec: { externalTrafficPolicy: 'Cluster' },
      }),
      'portConflict',
      /port TCP\/80 is already in use on "203.0.113.9"; default\/holder uses it/,
    ],
    [
      'invalid annotation',
      service('bad', { annotations: { 'metallb.io/loadBalancerIPs': 'not-an-ip' } }),
      'invalidRequest',
      /invalid metallb.io\/loadBalancerIPs/,
    ],
    [
      'another loadBalancerClass',
      service('other-class', { spec: { loadBalancerClass: 'example.com/other' } }),
      'otherLoadBalancerClass',
      /spec.loadBalancerClass is example.com\/other: another load balancer handles it \(ferry handles Services without one\)/,
    ],
    [
      'not a LoadBalancer',
      service('cluster-ip', { spec: { type: 'ClusterIP' } }),
      'notLoadBalancer',
      /only type LoadBalancer/,
    ],
  ])('%s', (_, extra, cause, message) => {
    const holder = service('holder', {
      ingress: ['203.0.113.9'],
      annotations: { 'metallb.io/loadBalancerIPs': '203.0.113.9', 'metallb.io/allow-shared-ip': 'k' },
      spec: { externalTrafficPolicy: 'Cluster' },
    });
    const d = explain(withServices(holder, extra), extra.metadata.name);
    expect(d.assignment.cause).toBe(cause);
    expect(d.assignment.message).toMatch(message);
    if (cause === 'portConflict' || cause === 'sharingConflict')
      expect(d.assignment.conflictsWith.length).toBe(1);
  });

  test('pool exhausted: used/total of every pool that may serve it', () => {
    const lab = labCluster();
    const d = explain(
      {
        ...lab,
        ipAddressPools: [pool('prod-pool', { addresses: ['203.0.113.5/32'], autoAssign: true })],
        services: [...lab.services, service('second')],
      },
      'second',
    );
    expect(d.assignment).toMatchObject({ verdict: 'cannotAssign', cause: 'poolExhausted' });
    expect(d.assignment.message).toBe('every pool that may serve it is exhausted (prod-pool 1/1 used)');
  });

  test('namespace and Service selectors that do not match, per pool', () => {
    const lab = labCluster();
    const d = explain(
      {
        ...lab,
        ipAddressPools: [
          pool('prod-pool', {
            addresses: ['203.0.113.0/24'],
            serviceAllocation: { namespaces: ['prod'] },
          }),
          pool('team-pool', {
            addresses: ['198.51.100.0/24'],
            serviceAllocation: { serviceSelectors: [{ matchLabels: { team: 'a' } }] },
          }),
        ],
        services: [service('web2', { labels: { team: 'b' } })],
      },
      'web2',
    );
    expect(d.assignment.cause).toBe('selectorsNotMatching');
    expect(d.assignment.message).toBe(
      'no autoAssign pool may serve it: prod-pool: its serviceAllocation namespaces/namespaceSelectors do not select namespace default; ' +
        "team-pool: its serviceAllocation serviceSelectors do not match the Service's labels",
    );
  });

  test('no pool of the family the Service needs', () => {
    const d = explain(
      withServices(service('v6', { clusterIP: 'fd00::10', spec: { ipFamilies: ['IPv6'] } })),
      'v6',
    );
    expect(d.assignment.cause).toBe('noPoolForFamily');
  });

  test('no pools at all', () => {
    const d = explain({ ...labCluster(), ipAddressPools: [], services: [service('lonely')] }, 'lonely');
    expect(d.assignment).toMatchObject({ verdict: 'cannotAssign', cause: 'noPools' });
  });

  test('pending although an address is free: the controller is not running (Lease expired)', () => {
    const lab = withServices(service('fresh'));
    const d = explain({ ...lab, controllerLease: lease(new Date(NOW.getTime() - 300_000)) }, 'fresh');
    expect(d.assignment).toMatchObject({
      verdict: 'wouldAssign',
      cause: 'controllerNotRunning',
      ips: ['203.0.113.0'],
      pool: 'prod-pool',
    });
    expect(d.assignment.message).toBe(
      "would get 203.0.113.0 from IPAddressPool prod-pool, but ferry's controller is not running: Lease ferry-controller was last renewed 5m ago by ferry-controller-abc (it expires after 15s): no controller replica is leading",
    );
  });

  test('pending although an address is free: no trace of the controller at all', () => {
    const lab = withServices(service('fresh'));
    const d = explain(
      {
        ...lab,
        controllerLease: undefined,
        configurationStates: lab.configurationStates.filter((s) => s.metadata.name !== 'controller'),
      },
      'fresh',
    );
    expect(d.assignment.cause).toBe('controllerNotRunning');
    expect(d.assignment.message).toMatch(/the controller has never run against this cluster/);
  });

  test('pending although an address is free: the controller rejects the configuration', () => {
    const lab = withServices(service('fresh'));
    const message = 'IPAddressPool metallb-system/new-pool: spec.addresses[0]: invalid CIDR "nope"';
    const d = explain(
      {
        ...lab,
        configurationStates: [
          configurationState('controller', 'Invalid', message),
          ...lab.configurationStates.filter((s) => s.metadata.name !== 'controller'),
        ],
      },
      'fresh',
    );
    expect(d.assignment.cause).toBe('invalidConfiguration');
    expect(d.assignment.message).toContain(message);
  });
});

describe('intended vs actual', () => {
  function messages(objects: ClusterObjects): string[] {
    return explain(objects).disagreements.map((d) => `${d.kind}: ${d.message}`);
  }

  test('a session down: the last error, one line per peer', () => {
    const lab = labCluster();
    const sessions = lab.bgpSessionStates.map((s) =>
      s.metadata.name === 'node-22-192-0-2-1'
        ? session('node-22', '192.0.2.1', 'Active', 'Hold Timer Expired')
        : s,
    );
    expect(messages({ ...lab, bgpSessionStates: sessions })).toEqual([
      'sessionDown: announced by node-22 to tor1 — but the session to tor1 is Active, BFD down, last error: Hold Timer Expired',
    ]);
  });

  test('ServiceBGPStatus missing while the speaker reports sessions', () => {
    const lab = labCluster();
    expect(
      messages({ ...lab, serviceBGPStatuses: [serviceStatus('node-21', 'web', ['tor1', 'tor2'])] }),
    ).toEqual([
      'statusMissing: node-22 should announce default/web but its ServiceBGPStatus is missing (speaker not Ready?)',
    ]);
  });

  test('a speaker missing entirely', () => {
    const lab = labCluster();
    expect(
      messages({
        ...lab,
        bgpSessionStates: lab.bgpSessionStates.filter((s) => !String(s.metadata.name).startsWith('node-22')),
        configurationStates: lab.configurationStates.filter((s) => s.metadata.name !== 'speaker-node-22'),
        serviceBGPStatuses: [serviceStatus('node-21', 'web', ['tor1', 'tor2'])],
      }),
    ).toEqual([
      "speakerMissing: node-22: its speaker reports nothing (no ConfigurationState speaker-node-22, no BGPSessionState): is ferry's speaker running there?",
    ]);
  });

  test('FRR advertises to fewer peers than intended', () => {
    const lab = labCluster();
    expect(
      messages({
        ...lab,
        serviceBGPStatuses: [
          serviceStatus('node-21', 'web', ['tor1', 'tor2']),
          serviceStatus('node-22', 'web', ['tor1']),
        ],
      }),
    ).toEqual([
      'notAdvertised: node-22 should announce default/web to tor2, but FRR does not advertise it there (ServiceBGPStatus lists tor1)',
    ]);
  });

  test('a node still advertises what it should withdraw (drained node)', () => {
    const lab = labCluster();
    expect(
      messages({
        ...lab,
        endpointSlices: [endpointSlice('web', ['node-21'])],
      }),
    ).toEqual([
      'unexpectedlyAdvertised: node-22 still advertises default/web to tor1, but should not (noLocalEndpoints: externalTrafficPolicy is Local and no endpoint on node node-22 is ready or serving.)',
      'unexpectedlyAdvertised: node-22 still advertises default/web to tor2, but should not (noLocalEndpoints: externalTrafficPolicy is Local and no endpoint on node node-22 is ready or serving.)',
    ]);
  });

  test('no BGPSessionState for a peer the Service should reach', () => {
    const lab = labCluster();
    const sessions = lab.bgpSessionStates.filter((s) => s.metadata.name !== 'node-21-198-51-100-1');
    expect(messages({ ...lab, bgpSessionStates: sessions })).toEqual([
      'sessionUnknown: node-21 should announce default/web to tor2, but there is no BGPSessionState for that session',
    ]);
  });

  test('a speaker that rejects the configuration or whose FRR rejected the apply', () => {
    const lab = labCluster();
    const rejected: KubeObject = {
      ...configurationState(
        'speaker-node-21',
        'Invalid',
        'BGPPeer metallb-system/tor3: spec.holdTime: invalid',
      ),
    };
    const failedApply: KubeObject = {
      metadata: { name: 'speaker-node-22', namespace: 'metallb-system' },
      status: {
        result: 'Valid',
        errorSummary: '',
        conditions: [{ type: 'frrApplied', status: 'False', message: 'failed: line 3: % Unknown command' }],
      },
    };
    const states = [
      ...lab.configurationStates.filter(
        (s) => !['speaker-node-21', 'speaker-node-22'].includes(String(s.metadata.name)),
      ),
      rejected,
      failedApply,
    ];
    expect(messages({ ...lab, configurationStates: states })).toEqual([
      'speakerConfigurationInvalid: node-21: its speaker rejects the configuration and keeps the last valid one (ConfigurationState speaker-node-21: BGPPeer metallb-system/tor3: spec.holdTime: invalid)',
      "speakerConfigurationInvalid: node-22: FRR rejected the speaker's last apply: failed: line 3: % Unknown command",
    ]);
  });
});

test('--all-pending lists the LoadBalancer Services ferry handles that show no address', () => {
  const shot = snapshot(
    withServices(
      service('b-pending'),
      service('a-pending', { namespace: 'default' }),
      service('other', { spec: { loadBalancerClass: 'x' } }),
    ),
  );
  expect(pendingServices(shot, { lbClass: '', namespace: undefined }).map((s) => s.name)).toEqual([
    'a-pending',
    'b-pending',
  ]);
});

test('text output of the lab (golden)', () => {
  expect(explainText(explain(labCluster()), { wide: false, paint: noColour })).toBe(
    [
      'Service default/web',
      'IP: 203.0.113.5 from IPAddressPool prod-pool',
      'Controller: ferry-controller-abc leads (Lease ferry-controller renewed 2s ago)',
      '',
      'NODE     BGP                               PEERS      DETAIL',
      'node-21  announced                         tor1,tor2  203.0.113.5/32 communities 65000:100 local-pref 100',
      'node-22  announced                         tor1,tor2  203.0.113.5/32 communities 65000:100 local-pref 100',
      'node-23  not announced (noLocalEndpoints)  -          externalTrafficPolicy is Local and no endpoint on node node-23 is ready or serving.',
      '',
      'Intended vs actual:',
      '  ok: every speaker reports what its decision says',
      '',
    ].join('\n'),
  );
});

test('the requested pool exists but ferry rejects it: invalid configuration, naming object and field', () => {
  const lab = withServices(service('gold-svc', { annotations: { 'metallb.io/address-pool': 'gold' } }));
  const d = explain(
    {
      ...lab,
      ipAddressPools: [...lab.ipAddressPools, pool('gold', { addresses: ['192.0.2.0/33'] })],
    },
    'gold-svc',
  );
  expect(d.assignment.cause).toBe('invalidConfiguration');
  expect(d.assignment.message).toMatch(
    /asks for pool gold, which ferry rejects: IPAddressPool metallb-system\/gold: /,
  );
});

test("a session down: since when, from the speaker's last write to its BGPSessionState", () => {
  const lab = labCluster();
  const down = session('node-22', '192.0.2.1', 'Active', 'Hold Timer Expired');
  const written = new Date(NOW.getTime() - 185_000).toISOString();
  const withTime: KubeObject = {
    ...down,
    metadata: {
      ...down.metadata,
      managedFields: [{ manager: 'ferry', time: written }],
    } as KubeObject['metadata'],
  };
  const sessions = lab.bgpSessionStates.map((s) => (s.metadata.name === 'node-22-192-0-2-1' ? withTime : s));
  expect(explain({ ...lab, bgpSessionStates: sessions }).disagreements.map((d) => d.message)).toEqual([
    'announced by node-22 to tor1 — but the session to tor1 is Active since 3m5s, BFD down, last error: Hold Timer Expired',
  ]);
});

test('a hard-failed node in a real cluster: its speaker cannot write, its Node goes NotReady, its reports are stale', () => {
  const lab = labCluster();
  const nodes = lab.nodes.map((node) =>
    node.metadata.name === 'node-21'
      ? {
          ...node,
          status: {
            conditions: [
              {
                type: 'Ready',
                status: 'Unknown',
                reason: 'NodeStatusUnknown',
                message: 'Kubelet stopped posting node status.',
                lastTransitionTime: new Date(NOW.getTime() - 45_000).toISOString(),
              },
            ],
          },
        }
      : node,
  );
  expect(explain({ ...lab, nodes }).disagreements.map((d) => `${d.kind}: ${d.message}`)).toEqual([
    'nodeNotReady: node-21 is not Ready (Unknown since 45s: Kubelet stopped posting node status.): what its speaker last reported may be stale',
  ]);
});

test('wide text: the pools, and per node each peer with its attributes', () => {
  const text = explainText(explain(labCluster()), { wide: true, paint: noColour });
  expect(text).toContain(
    'POOL       AUTOASSIGN  USED   SERVES THIS SERVICE\nprod-pool  true        1/256  yes\n',
  );
  expect(text).toContain(
    '  node-22 to tor2: 203.0.113.5/32 communities 65000:100 local-pref 100 (BGPAdvertisement prod-adv)\n',
  );
});

test('overlapping pools reject the whole configuration: a pending Service says so first', () => {
  const lab = withServices(service('gold-svc', { annotations: { 'metallb.io/address-pool': 'gold' } }));
  const d = explain(
    { ...lab, ipAddressPools: [...lab.ipAddressPools, pool('gold', { addresses: ['203.0.113.0/24'] })] },
    'gold-svc',
  );
  expect(d.assignment.cause).toBe('invalidConfiguration');
  expect(d.assignment.message).toMatch(
    /^ferry rejects the configuration as a whole and keeps the last valid one \(IPAddressPool metallb-system\/prod-pool: .*overlaps with CIDR 203.0.113.0\/24 of IPAddressPool gold\); with the objects as they are: would get/,
  );
});

describe('layer 2', () => {
  // web-l2 at 192.0.2.202 from an L2 pool; MetalLB's order for that IP is node-23, node-21, node-22
  function withL2(...l2Statuses: KubeObject[]): ClusterObjects {
    const lab = labCluster();
    return {
      ...lab,
      ipAddressPools: [...lab.ipAddressPools, pool('l2-pool', { addresses: ['192.0.2.200-192.0.2.220'] })],
      l2Advertisements: [object('l2', { spec: { ipAddressPools: ['l2-pool'] } })],
      services: [
        ...lab.services,
        service('web-l2', { ingress: ['192.0.2.202'], spec: { externalTrafficPolicy: 'Cluster' } }),
      ],
      endpointSlices: [...lab.endpointSlices, endpointSlice('web-l2', ['node-21'])],
      serviceL2Statuses: l2Statuses,
    };
  }
  const l2Status = (node: string) =>
    object(`l2-${node}`, { status: { node, serviceName: 'web-l2', serviceNamespace: 'default' } });
  const l2Kinds = (d: ServiceDiagnosis) =>
    d.disagreements.filter((x) => x.kind.startsWith('l2')).map((x) => [x.kind, x.node]);

  test('the owner and the candidates in MetalLB order, told once; the owner reporting it: no disagreement', () => {
    const d = explain(withL2(l2Status('node-23')), 'web-l2');
    expect(d.nodes.map((n) => [n.node, n.l2?.owner, n.l2?.announced])).toEqual([
      ['node-21', 'node-23', false],
      ['node-22', 'node-23', false],
      ['node-23', 'node-23', true],
    ]);
    expect(l2Kinds(d)).toEqual([]);
    const text = explainText(d, { wide: false, paint: noColour });
    expect(text).toContain('Layer 2 (pool l2-pool): node-23 answers ARP/NDP for 192.0.2.202\n');
    expect(text).toContain("  candidates in MetalLB's order: node-23, node-21, node-22\n");
  });

  test("the owner's ServiceL2Status missing, another node claiming it: one line each", () => {
    expect(l2Kinds(explain(withL2(), 'web-l2'))).toEqual([['l2StatusMissing', 'node-23']]);
    const d = explain(withL2(l2Status('node-21')), 'web-l2');
    expect(l2Kinds(d)).toEqual([
      ['l2UnexpectedOwner', 'node-21'],
      ['l2StatusMissing', 'node-23'],
    ]);
    expect(d.disagreements.find((x) => x.kind === 'l2UnexpectedOwner')?.message).toBe(
      'node-21 reports it answers ARP/NDP for default/web-l2, but the elected owner is node-23 (a failover in progress, or a speaker that sees another cluster state)',
    );
  });

  test('externalTrafficPolicy Local: only a node with a ready local endpoint is a candidate', () => {
    const objects = withL2();
    const local = objects.services.map((s) =>
      s.metadata.name === 'web-l2'
        ? { ...s, spec: { ...(s.spec as object), externalTrafficPolicy: 'Local' } }
        : s,
    );
    const d = explain({ ...objects, services: local }, 'web-l2');
    expect(d.nodes[0]?.l2).toMatchObject({ owner: 'node-21', candidates: ['node-21'] });
    expect(d.nodes[0]?.l2?.excluded).toEqual([
      { node: 'node-22', why: 'noLocalEndpoints' },
      { node: 'node-23', why: 'noLocalEndpoints' },
    ]);
  });

  test('a BGP-only Service has no layer 2 part', () => {
    expect(explain(withL2()).nodes.every((n) => n.l2 === undefined)).toBe(true);
  });
});
