import type { PeerAdvertisement } from '../../announce/types.js';
import { frrModelForNode } from '../build-model.js';
import { defaultFrrRenderer } from '../templates.js';
import { bfdProfile, peer } from '../../../test/support/builders.js';
import type { BfdProfile, Community, Peer } from '../../config/types.js';
import { networkChurnEdits } from './network-churn.js';
import {
  expectedRunningConfig,
  planChange,
  planChangeBetweenTrees,
  planChangeWith,
  type ApplyPlan,
} from './plan.js';
import { canonicalConfig, parseConfigTree } from './config-tree.js';

const render = defaultFrrRenderer();
const tor1 = peer('tor1', '192.0.2.1', { bfdProfile: 'fast', password: 'hunter2' });
const tor2 = peer('tor2', '198.51.100.1');
const tor1v6 = peer('tor1v6', '2001:db8:ffff:a::1');
const red = peer('red', '192.0.2.9', { vrf: 'red' });
const fast = bfdProfile('fast', { detectMultiplier: 3 });
const C100: Community = { kind: 'standard', value: '65000:100' };
const C200: Community = { kind: 'standard', value: '65000:200' };

interface Scenario {
  readonly peers?: Peer[];
  readonly bfd?: BfdProfile[];
  readonly ads: PeerAdvertisement[];
  readonly logLevel?: string;
}

function ad(prefix: string, peer: string, communities: Community[] = [], localPref = 0): PeerAdvertisement {
  return { prefix, family: prefix.includes(':') ? 'ipv6' : 'ipv4', peer, communities, localPref };
}

/** The same prefix to both ToRs with the same attributes. */
function both(prefix: string, communities: Community[] = []): PeerAdvertisement[] {
  return [ad(prefix, 'tor1', communities), ad(prefix, 'tor2', communities)];
}

function rendered(s: Scenario): string {
  return render(
    frrModelForNode({
      peers: s.peers ?? [tor1, tor2],
      bfdProfiles: s.bfd ?? [fast],
      advertisements: s.ads,
      ...(s.logLevel === undefined ? {} : { logLevel: s.logLevel }),
    }),
  );
}

/** The name of the class a prefix got in a rendered config. */
function classOf(text: string, prefix: string): string {
  const match = new RegExp(`network ${prefix.replace(/\./g, '\\.')} route-map (\\S+)`).exec(text);
  if (match?.[1] === undefined) throw new Error(`no network ${prefix}`);
  return match[1];
}

function commandsOf(plan: ApplyPlan): readonly string[] {
  if (plan.kind !== 'incremental') throw new Error(`expected incremental, got ${JSON.stringify(plan)}`);
  return plan.commands;
}

const BASE: Scenario = { ads: [...both('203.0.113.5/32'), ...both('203.0.113.7/32')] };

describe('planChange: what goes to frr-reload.py', () => {
  const cases: { name: string; after: Scenario; reason: RegExp }[] = [
    {
      name: 'a neighbor timer change',
      after: { ...BASE, peers: [{ ...tor1, holdTime: 90, keepaliveTime: 30 }, tor2] },
      reason: /router bgp 65100: "neighbor 192.0.2.1 timers 30 90" added/,
    },
    {
      name: 'a password change, without showing either password',
      after: { ...BASE, peers: [{ ...tor1, password: 'correct-horse' }, tor2] },
      reason: /password <redacted>/,
    },
    {
      name: 'a new neighbor',
      after: { ...BASE, peers: [tor1, tor2, peer('t3', '192.0.2.3')] },
      reason: /192\.0\.2\.3/,
    },
    {
      name: 'a removed neighbor',
      after: { ads: BASE.ads.filter((a) => a.peer === 'tor1'), peers: [tor1] },
      reason: /198\.51\.100\.1/,
    },
    {
      name: 'a BFD profile change',
      after: { ...BASE, bfd: [{ ...fast, detectMultiplier: 5 }] },
      reason: /"bfd" block changed/,
    },
    { name: 'a new VRF router', after: { ...BASE, peers: [tor1, tor2, red] }, reason: /192\.0\.2\.9-red/ },
    { name: 'the log level', after: { ...BASE, logLevel: 'debugging' }, reason: /log stdout/ },
    {
      name: 'the first IPv6 prefix (a new address family)',
      after: { ...BASE, peers: [tor1, tor2, tor1v6], ads: [...BASE.ads, ad('2001:db8::5/128', 'tor1v6')] },
      reason: /2001:db8:ffff:a::1/,
    },
  ];
  test.each(cases)('$name', ({ after, reason }) => {
    const plan = planChange(rendered(BASE), rendered(after));
    expect(plan.kind).toBe('full');
    if (plan.kind === 'full') {
      expect(plan.reason).toMatch(reason);
      expect(plan.reason).not.toMatch(/hunter2|correct-horse/);
    }
  });
});

describe('planChange: Service churn is incremental', () => {
  test('the same text is a no-op, and so is text differing only in comments and spacing', () => {
    const text = rendered(BASE);
    expect(planChange(text, text)).toEqual({ kind: 'noop' });
    expect(planChange(text, text.replace(/\n!\n/g, '\n').replace(/ {2}network/g, '   network'))).toEqual({
      kind: 'noop',
    });
  });

  test('adding one IP of an existing class is one network command', () => {
    const before = rendered(BASE);
    const after = rendered({ ads: [...BASE.ads, ...both('203.0.113.6/32')] });
    const cls = classOf(before, '203.0.113.5/32');
    expect(commandsOf(planChange(before, after))).toEqual([
      'configure terminal',
      'router bgp 65100',
      'address-family ipv4 unicast',
      `network 203.0.113.6/32 route-map ${cls}`,
      'exit-address-family',
      'exit',
      'end',
    ]);
  });

  test('removing one IP is one `no network` command', () => {
    const before = rendered(BASE);
    const after = rendered({ ads: both('203.0.113.5/32') });
    const cls = classOf(before, '203.0.113.7/32');
    expect(commandsOf(planChange(before, after))).toEqual([
      'configure terminal',
      'router bgp 65100',
      'address-family ipv4 unicast',
      `no network 203.0.113.7/32 route-map ${cls}`,
      'exit-address-family',
      'exit',
      'end',
    ]);
  });

  test('an IPv6 prefix lands in the IPv6 family, a VRF prefix in the VRF router', () => {
    const peers = [tor1, tor2, tor1v6, red];
    const base: Scenario = {
      peers,
      ads: [...BASE.ads, ad('2001:db8::5/128', 'tor1v6'), ad('203.0.113.9/32', 'red')],
    };
    const after: Scenario = {
      peers,
      ads: [...base.ads, ad('2001:db8::6/128', 'tor1v6'), ad('203.0.113.10/32', 'red')],
    };
    const commands = commandsOf(planChange(rendered(base), rendered(after)));
    expect(commands.filter((c) => !c.startsWith('network'))).toEqual([
      'configure terminal',
      'router bgp 65100',
      'address-family ipv6 unicast',
      'exit-address-family',
      'exit',
      'router bgp 65100 vrf red',
      'address-family ipv4 unicast',
      'exit-address-family',
      'exit',
      'end',
    ]);
    expect(commands.filter((c) => c.startsWith('network')).map((c) => c.split(' ')[1])).toEqual([
      '2001:db8::6/128',
      '203.0.113.10/32',
    ]);
  });

  test('a prefix moving to a new class: list and class route map, out entries, network, then cleanup', () => {
    const before = rendered({ ads: both('203.0.113.5/32') });
    const after = rendered({ ads: both('203.0.113.5/32', [C100]) });
    const oldClass = classOf(before, '203.0.113.5/32');
    const newClass = classOf(after, '203.0.113.5/32');
    const commands = commandsOf(planChange(before, after));
    const at = (text: string) => commands.findIndex((c) => c.includes(text));
    // The new class is complete before the network line points at it.
    expect(at(`bgp large-community-list standard ${newClass}`)).toBeLessThan(at('network 203.0.113.5/32'));
    expect(at(`route-map ${newClass} permit 10`)).toBeLessThan(at('network 203.0.113.5/32'));
    expect(at(`match large-community ${newClass}`)).toBeLessThan(at('network 203.0.113.5/32'));
    // The network line is replaced in place, never removed.
    expect(commands).toContain(`network 203.0.113.5/32 route-map ${newClass}`);
    expect(commands.some((c) => c.startsWith('no network'))).toBe(false);
    // Each out route map's only class entry is modified in place (seq 10 stays), never deleted.
    expect(commands.filter((c) => /^no route-map \S+-out/.test(c))).toEqual([]);
    expect(commands).toContain('set community 65000:100');
    // The old class goes last.
    expect(at(`no route-map ${oldClass} permit 10`)).toBeGreaterThan(at('network 203.0.113.5/32'));
    expect(commands.at(-2)).toBe(
      `no bgp large-community-list standard ${oldClass} seq 5 permit 4294967295:0:${oldClass.slice(8)}`,
    );
  });

  test('a new class shifting out entries: every surviving class stays matched at every step', () => {
    // Three classes; a fourth appears. Entries shift sequence numbers: the plan modifies them in place
    // in an order where each surviving class is installed at its new sequence before its old one moves.
    const base: Scenario = {
      ads: [...both('203.0.113.1/32'), ...both('203.0.113.2/32', [C100]), ...both('203.0.113.3/32', [C200])],
    };
    const communities: Community[][] = [
      [{ kind: 'standard', value: '65000:1' }],
      [{ kind: 'standard', value: '65000:999' }],
      [{ kind: 'large', value: '65000:1:1' }],
    ];
    let shifted = 0;
    for (const extra of communities) {
      const after: Scenario = { ads: [...base.ads, ...both('203.0.113.4/32', extra)] };
      const before = rendered(base);
      const plan = planChange(before, rendered(after));
      expect(plan.kind).toBe('incremental');
      if (plan.kind !== 'incremental') continue;
      // Simulate tor1's out route map step by step: which class each sequence matches.
      const matches = new Map<string, string>();
      const tree = parseConfigTree(before);
      for (const node of tree) {
        if (!node.line.startsWith('route-map 192.0.2.1-out permit')) continue;
        const m = node.children.find((c) => c.line.startsWith('match'));
        if (m !== undefined) matches.set(node.line, m.line);
      }
      const surviving = [
        classOf(before, '203.0.113.1/32'),
        classOf(before, '203.0.113.2/32'),
        classOf(before, '203.0.113.3/32'),
      ];
      let context = '';
      for (const command of plan.commands) {
        if (command.startsWith('route-map ')) context = command;
        else if (command === 'exit') context = '';
        else if (
          command.startsWith('match large-community') &&
          context.startsWith('route-map 192.0.2.1-out')
        ) {
          if (matches.has(context)) shifted++;
          matches.set(context, command);
          for (const cls of surviving) {
            expect([...matches.values()]).toContain(`match large-community ${cls}`);
          }
        }
      }
    }
    // The case is only meaningful when some existing entry was modified in place.
    expect(shifted).toBeGreaterThan(0);
  });

  test('removing the last prefix of a class removes its entries, route map and list after the network', () => {
    const before = rendered({ ads: [...both('203.0.113.5/32'), ...both('203.0.113.6/32', [C100])] });
    const after = rendered({ ads: both('203.0.113.5/32') });
    const gone = classOf(before, '203.0.113.6/32');
    const commands = commandsOf(planChange(before, after));
    const at = (text: string) => commands.findIndex((c) => c.startsWith(text));
    expect(at('no network 203.0.113.6/32')).toBeGreaterThan(0);
    expect(at('no route-map 192.0.2.1-out permit')).toBeGreaterThan(at('no network 203.0.113.6/32'));
    expect(at(`no route-map ${gone} permit 10`)).toBeGreaterThan(at('no route-map 192.0.2.1-out permit'));
    expect(at(`no bgp large-community-list standard ${gone}`)).toBeGreaterThan(at(`no route-map ${gone}`));
  });

  test('every plan reproduces the next config exactly when applied to the previous one', () => {
    const scenarios: Scenario[] = [
      BASE,
      { ads: [...BASE.ads, ...both('203.0.113.6/32')] },
      { ads: both('203.0.113.5/32', [C100]) },
      {
        ads: [
          ...both('203.0.113.5/32', [C200]),
          ...both('203.0.113.9/32', [C100]),
          ad('203.0.113.8/32', 'tor1'),
        ],
      },
      { ads: [ad('203.0.113.8/32', 'tor2', [C100], 200), ...both('203.0.113.7/32')] },
      { ads: [] },
    ];
    for (const from of scenarios) {
      for (const to of scenarios) {
        const before = rendered(from);
        const after = rendered(to);
        const plan = planChange(before, after);
        if (plan.kind === 'noop') {
          expect(canonicalConfig(parseConfigTree(before))).toBe(canonicalConfig(parseConfigTree(after)));
          continue;
        }
        expect(plan.kind).toBe('incremental');
        if (plan.kind !== 'incremental') continue;
        expect(expectedRunningConfig(before, plan.edits)).toBe(canonicalConfig(parseConfigTree(after)));
      }
    }
  });

  test('the network fast path gives the same edits as the tree diff, or leaves the decision to it', () => {
    const peers = [tor1, tor2, tor1v6, red];
    const v6 = ad('2001:db8::5/128', 'tor1v6');
    const scenarios: Scenario[] = [
      { peers, ads: [...BASE.ads, v6] },
      { peers, ads: [...BASE.ads, ...both('203.0.113.1/32'), v6] },
      { peers, ads: [...BASE.ads, ...both('203.0.113.200/32'), v6] },
      { peers, ads: [...both('203.0.113.7/32'), v6] },
      { peers, ads: [...BASE.ads, v6, ad('2001:db8::1/128', 'tor1v6'), ad('2001:db8::9/128', 'tor1v6')] },
      { peers, ads: [...BASE.ads, v6, ad('203.0.113.9/32', 'red')] },
      { peers, ads: [...BASE.ads, ad('203.0.113.9/32', 'red'), ad('203.0.113.10/32', 'red')] },
      { peers, ads: [...both('203.0.113.5/32', [C100]), ...both('203.0.113.7/32', [C100]), v6] },
      { peers, ads: [...both('203.0.113.5/32'), ...both('203.0.113.7/32', [C100]), v6] },
    ];
    let fast = 0;
    for (const from of scenarios) {
      for (const to of scenarios) {
        const before = rendered(from);
        const after = rendered(to);
        const edits = networkChurnEdits(before, after);
        const slow = planChangeBetweenTrees(parseConfigTree(before), parseConfigTree(after));
        if (edits === undefined) continue;
        fast++;
        expect(slow.kind).toBe('incremental');
        if (slow.kind !== 'incremental') continue;
        const key = (e: { kind: string; line?: string }) => `${e.kind} ${e.line ?? ''}`;
        expect(edits.map(key).sort()).toEqual(slow.edits.map(key).sort());
      }
    }
    // Many pairs of these scenarios differ in network lines only.
    expect(fast).toBeGreaterThan(10);
  });
});

describe('planChangeWith: typed edits from the producer', () => {
  const before = rendered({ ads: both('203.0.113.5/32') });
  const after = rendered({ ads: [...both('203.0.113.5/32'), ...both('203.0.113.6/32')] });
  const planned = planChange(before, after);
  if (planned.kind !== 'incremental') throw new Error('one more IP is incremental');

  test('are the plan when they start from the text FRR runs', () => {
    // edits the text diff would never produce: the plan is whatever the producer says
    const sentinel = [
      { kind: 'add-line' as const, path: ['router bgp 65100'], line: 'network 203.0.113.6/32 route-map x' },
    ];
    const plan = planChangeWith(before, after, { from: before, edits: sentinel });
    expect(plan).toEqual({ kind: 'incremental', edits: sentinel, commands: expect.any(Array) });
  });

  test('are ignored when FRR runs another text, or when they are empty: the texts are diffed', () => {
    expect(planChangeWith(before, after, { from: 'other text', edits: [] })).toEqual(planned);
    expect(planChangeWith(before, after, { from: before, edits: [] })).toEqual(planned);
    expect(planChangeWith(after, after, { from: before, edits: planned.edits })).toEqual({ kind: 'noop' });
  });
});
