import { loadManifestDirectory } from '../api/load-directory.js';
import type { Resources } from '../api/resources.js';
import { defaultFrrRenderer } from '../frr/templates.js';
import { goldenScenarioDirectory } from '../../test/support/golden-scenarios.js';
import { createReconciler } from './reconciler.js';

const seed = loadManifestDirectory(`${goldenScenarioDirectory()}/seed/input.yaml`).resources;

function reconciler() {
  return createReconciler({ nodeName: 'node-21', namespace: 'metallb-system', render: defaultFrrRenderer() });
}

function withBadPeer(resources: Resources): Resources {
  const [tor1, ...others] = resources.bgpPeers;
  if (tor1 === undefined) throw new Error('seed has peers');
  // holdTime 2s is below MetalLB's minimum of 3s
  return { ...resources, bgpPeers: [{ ...tor1, spec: { ...tor1.spec, holdTime: '2s' } }, ...others] };
}

describe('speaker reconcile', () => {
  test('a valid configuration renders the announcement of web from node-21', () => {
    const outcome = reconciler().reconcile(seed);
    expect(outcome.configuration).toEqual({ result: 'Valid', errorSummary: '' });
    expect(outcome.desiredConfig).toContain('network 203.0.113.5/32 route-map ferry-c-');
    expect(outcome.peers.map((p) => p.name)).toEqual(['tor1', 'tor2']);
  });

  test('an invalid object is reported and the last valid configuration stays in force', () => {
    const speaker = reconciler();
    const before = speaker.reconcile(seed).desiredConfig;
    const outcome = speaker.reconcile(withBadPeer(seed));
    expect(outcome.configuration.result).toBe('Invalid');
    expect(outcome.configuration.errorSummary).toContain('BGPPeer metallb-system/tor1: spec.holdTime');
    expect(outcome.desiredConfig).toBe(before);
  });

  test('Service changes still apply while the configuration is invalid', () => {
    const speaker = reconciler();
    speaker.reconcile(seed);
    const noEndpoints = { ...withBadPeer(seed), endpointSlices: [] };
    const outcome = speaker.reconcile(noEndpoints);
    expect(outcome.configuration.result).toBe('Invalid');
    expect(outcome.desiredConfig).not.toContain('network 203.0.113.5/32');
    expect(outcome.desiredConfig).toContain('neighbor 192.0.2.1 remote-as 65000');
  });

  test('nothing is applied before a first valid configuration exists', () => {
    const outcome = reconciler().reconcile(withBadPeer(seed));
    expect(outcome.configuration.result).toBe('Invalid');
    expect(outcome.desiredConfig).toBeUndefined();
  });
});

test('an unreadable manifest makes the configuration Invalid and keeps the last valid one', () => {
  const speaker = reconciler();
  const before = speaker.reconcile(seed).desiredConfig;
  const withoutTor1 = { ...seed, bgpPeers: seed.bgpPeers.slice(1) };
  const outcome = speaker.reconcile(withoutTor1, [
    'bgp-peers.yaml: BGPPeer metallb-system/tor1: spec.peerASN: must be of type integer',
  ]);
  expect(outcome.configuration).toMatchObject({ result: 'Invalid' });
  expect(outcome.desiredConfig).toBe(before);
});

describe('two load balancers, unusable ingress entries (the speaker, cluster or standalone)', () => {
  const loaded = loadManifestDirectory(`${goldenScenarioDirectory()}/load-balancer-class/input.yaml`);
  const speakerWith = (lbClass?: string) =>
    createReconciler({
      nodeName: 'node-1',
      namespace: 'metallb-system',
      render: defaultFrrRenderer(),
      ...(lbClass === undefined ? {} : { announceOptions: { lbClass } }),
    });
  const networks = (config: string | undefined) =>
    config?.match(/^\s*network \S+/gm)?.map((line) => line.trim()) ?? [];

  test('the configuration stays Valid; only the class-less Service with usable IPs is announced', () => {
    expect(loaded.errors).toEqual([]);
    const outcome = speakerWith().reconcile(loaded.resources);
    expect(outcome.configuration).toEqual({ result: 'Valid', errorSummary: '' });
    expect(networks(outcome.desiredConfig)).toEqual(['network 203.0.113.5/32']);
  });

  test("with --lb-class the other class is the speaker's, and the class-less Services are not", () => {
    const outcome = speakerWith('example.com/other').reconcile(loaded.resources);
    expect(outcome.configuration.result).toBe('Valid');
    // other-lb is now judged, and refused for its hostname entry
    expect(networks(outcome.desiredConfig)).toEqual([]);
    expect(outcome.announce?.decisions.find((d) => d.name === 'other-lb')?.reason).toBe('invalidIP');
  });
});

describe('per-Service work across reconciles', () => {
  test('unchanged resources re-judge no Service, though the Config is built anew each time', () => {
    const speaker = reconciler();
    const first = speaker.reconcile(seed);
    const again = speaker.reconcile({ ...seed, bgpAdvertisements: structuredClone(seed.bgpAdvertisements) });
    expect(again.desiredConfig).toBe(first.desiredConfig);
    expect(again.changedServices).toEqual(new Set());
    const base = first.desired;
    if (base === undefined) throw new Error('a valid Config');
    expect(again.desired?.networkEditsSince?.(base)).toEqual([]);
  });

  test('a changed advertisement re-judges every Service and its new attributes reach frr.conf', () => {
    const speaker = reconciler();
    speaker.reconcile(seed);
    const [advertisement, ...others] = seed.bgpAdvertisements;
    if (advertisement === undefined) throw new Error('seed has an advertisement');
    const changed = speaker.reconcile({
      ...seed,
      bgpAdvertisements: [{ ...advertisement, spec: { ...advertisement.spec, localPref: 250 } }, ...others],
    });
    expect(changed.desiredConfig).toContain('set local-preference 250');
    expect(changed.changedServices).toBe('all');
  });

  test('one Service changed alone: only it is re-judged, and the change is one network line', () => {
    const speaker = reconciler();
    const first = speaker.reconcile(seed);
    const web = seed.services.find((s) => s.name === 'web');
    if (web === undefined || first.desired === undefined) throw new Error('seed has Service web');
    const moved = { ...web, ingressIPs: ['203.0.113.9'] };
    const outcome = speaker.reconcileChanges([{ kind: 'service', key: 'default/web', object: moved }]);
    expect(outcome?.changedServices).toEqual(new Set(['default/web']));
    expect(outcome?.desiredConfig).toContain('network 203.0.113.9/32 route-map ferry-c-');
    expect(outcome?.desiredConfig).not.toContain('network 203.0.113.5/32');
    expect(outcome?.desired?.networkEditsSince?.(first.desired)?.map((edit) => edit.kind)).toEqual([
      'add-line',
      'remove-line',
    ]);
  });
});

describe('speaker reconcile: layer 2', () => {
  const withL2 = (resources: Resources, nodes: Resources['nodes']): Resources => {
    const pool = resources.ipAddressPools[0];
    if (pool === undefined) throw new Error('seed has a pool');
    return {
      ...resources,
      nodes,
      l2Advertisements: [
        {
          apiVersion: 'metallb.io/v1beta1',
          kind: 'L2Advertisement',
          metadata: { ...pool.metadata, name: 'l2' },
          spec: { ipAddressPools: [pool.metadata.name] },
        },
      ],
    };
  };

  test('standalone (no Node objects): the host alone owns what it is eligible for, no BFD mesh', () => {
    const outcome = reconciler().reconcile(withL2(seed, []));
    expect(outcome.layer2?.owned.map((owned) => owned.ip.text)).toEqual(['203.0.113.5']);
    expect(outcome.desiredConfig).not.toContain(' peer ');
  });

  test('in a cluster: one BFD session per other node with an InternalIP, and no layer 2 without an L2Advertisement', () => {
    const nodes = ['node-21', 'node-22', 'node-23'].map((name, index) => ({
      name,
      labels: { 'kubernetes.io/hostname': name },
      networkUnavailable: false,
      internalIPs: [`192.0.2.${11 + index}`],
    }));
    const outcome = reconciler().reconcile(withL2(seed, nodes));
    expect(outcome.desiredConfig).toContain(' peer 192.0.2.12\n');
    expect(outcome.desiredConfig).toContain(' peer 192.0.2.13\n');
    expect(outcome.desiredConfig).not.toContain(' peer 192.0.2.11\n');
    expect(reconciler().reconcile({ ...seed, nodes }).layer2).toBeUndefined();
  });
});
