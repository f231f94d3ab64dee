// The per-Service memo must never hand out a stale decision: the speaker reuses objects across
// reconciles, and any change to the Service's slices, the Config or the Node must be seen; what
// did not change must be reused, or a reconcile at 10,000 Services judges all of them again.
import { announcementsForNode } from './announcements.js';
import { ServiceDecisionMemo } from './service-decision-memo.js';
import {
  advertisement,
  community,
  config,
  endpoint,
  node,
  service,
  slice,
  world,
} from '../../test/support/builders.js';

const web = service('default/web', { ingressIPs: ['203.0.113.10'], externalTrafficPolicy: 'Local' });
const api = service('default/api', { ingressIPs: ['203.0.113.11'] });

function twoServices() {
  return world({
    services: [web, api],
    endpointSlices: [slice('default/web', [endpoint('n1')]), slice('default/api', [endpoint('n1')])],
  });
}

test('the same objects hit: the second decision reuses both Services and gives the same result', () => {
  const memo = new ServiceDecisionMemo();
  const input = twoServices();
  const first = announcementsForNode(input, memo);
  expect(memo.counters()).toEqual({ hits: 0, misses: 2, invalidations: 0 });
  expect(announcementsForNode(input, memo)).toEqual(first);
  expect(memo.counters()).toEqual({ hits: 2, misses: 2, invalidations: 0 });
  // the memo replays the routes too
  expect(first.advertisements.map((a) => `${a.prefix} ${a.peer}`)).toEqual([
    '203.0.113.10/32 tor1',
    '203.0.113.10/32 tor2',
    '203.0.113.11/32 tor1',
    '203.0.113.11/32 tor2',
  ]);
});

test('only the Service whose EndpointSlice changed misses, and its new endpoints are seen', () => {
  const memo = new ServiceDecisionMemo();
  const input = twoServices();
  announcementsForNode(input, memo);
  const moved = announcementsForNode(
    { ...input, endpointSlices: [input.endpointSlices[1]!, slice('default/web', [endpoint('n2')])] },
    memo,
  );
  expect(memo.counters()).toEqual({ hits: 1, misses: 3, invalidations: 0 });
  expect(moved.decisions.find((d) => d.name === 'web')).toMatchObject({
    announced: false,
    reason: 'noLocalEndpoints',
  });
  expect(moved.advertisements.map((a) => a.prefix)).toEqual(['203.0.113.11/32', '203.0.113.11/32']);
});

test('a new Service object for the same Service misses', () => {
  const memo = new ServiceDecisionMemo();
  const input = twoServices();
  announcementsForNode(input, memo);
  const readdressed = service('default/api', { ingressIPs: ['203.0.113.12'] });
  const result = announcementsForNode({ ...input, services: [web, readdressed] }, memo);
  expect(memo.counters()).toEqual({ hits: 1, misses: 3, invalidations: 0 });
  expect(result.decisions.map((d) => d.ip)).toEqual(['203.0.113.12', '203.0.113.10']);
});

test('a new Config object with other attributes invalidates everything and is seen', () => {
  const memo = new ServiceDecisionMemo();
  const input = twoServices();
  expect(announcementsForNode(input, memo).advertisements[0]?.communities).toEqual([]);
  const withCommunity = config({
    advertisements: [advertisement('adv-a', { communities: [community('65000:7')] })],
  });
  const changed = announcementsForNode({ ...input, config: withCommunity }, memo);
  expect(memo.counters()).toEqual({ hits: 0, misses: 4, invalidations: 1 });
  expect(changed.advertisements.map((a) => a.communities)).toEqual(
    Array.from({ length: 4 }, () => [community('65000:7')]),
  );
  // and the new Config's decisions are remembered in turn
  announcementsForNode({ ...input, config: withCommunity }, memo);
  expect(memo.counters()).toEqual({ hits: 2, misses: 4, invalidations: 1 });
});

test('a Node change (NetworkUnavailable) invalidates the decisions for the same Service and slices', () => {
  const memo = new ServiceDecisionMemo();
  const input = twoServices();
  announcementsForNode(input, memo);
  const unavailable = announcementsForNode({ ...input, node: node('n1', {}, true) }, memo);
  expect(memo.counters().invalidations).toBe(1);
  expect(unavailable.decisions.map((d) => d.reason)).toEqual([
    'nodeNetworkUnavailable',
    'nodeNetworkUnavailable',
  ]);
});

test('a changed ignoreExcludeLB option invalidates the decisions', () => {
  const memo = new ServiceDecisionMemo();
  const input = {
    ...twoServices(),
    node: node('n1', { 'node.kubernetes.io/exclude-from-external-load-balancers': '' }),
  };
  expect(announcementsForNode(input, memo).decisions.map((d) => d.reason)).toEqual([
    'nodeLabeledExcludeBalancers',
    'nodeLabeledExcludeBalancers',
  ]);
  const ignoring = announcementsForNode({ ...input, options: { ignoreExcludeLB: true } }, memo);
  expect(memo.counters().invalidations).toBe(1);
  expect(ignoring.decisions.map((d) => d.announced)).toEqual([true, true]);
});

test('a changed --lb-class invalidates the decisions', () => {
  const memo = new ServiceDecisionMemo();
  const input = twoServices();
  expect(announcementsForNode(input, memo).decisions.map((d) => d.announced)).toEqual([true, true]);
  const otherClass = announcementsForNode({ ...input, options: { lbClass: 'example.com/other' } }, memo);
  expect(memo.counters().invalidations).toBe(1);
  expect(otherClass.decisions.map((d) => d.reason)).toEqual([
    'otherLoadBalancerClass',
    'otherLoadBalancerClass',
  ]);
});

test('two memos are independent, and no memo means no reuse between calls', () => {
  const input = twoServices();
  const mine = new ServiceDecisionMemo();
  const other = new ServiceDecisionMemo();
  const first = announcementsForNode(input, mine);
  expect(announcementsForNode(input, other)).toEqual(first);
  expect(other.counters()).toEqual({ hits: 0, misses: 2, invalidations: 0 });
  // Without a memo the same call after a Config change still sees it: no hidden state in between.
  announcementsForNode(input);
  const withCommunity = config({
    advertisements: [advertisement('adv-a', { communities: [community('65000:7')] })],
  });
  expect(announcementsForNode({ ...input, config: withCommunity }).advertisements[0]?.communities).toEqual([
    community('65000:7'),
  ]);
});
