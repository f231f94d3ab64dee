import { Registry } from 'prom-client';
import winston from 'winston';
import type { L2Decision, L2ElectionResult } from '../l2/election.js';
import type { OwnedAddress } from '../l2/owned.js';
import type { L2Counters } from '../l2/responder.js';
import { parseIp } from '../net/ip.js';
import { l2Decision } from '../../test/support/builders.js';
import { createLayer2Speaker, type ResponderPort } from './layer2.js';

const logger = winston.createLogger({ silent: true });

function decision(
  name: string,
  announced: boolean,
  interfaces?: string[],
  ip = '192.0.2.200',
  candidates = ['node-21', 'node-22'],
): L2Decision {
  return {
    ...l2Decision(name, announced, { ip, candidates, interfaces }),
    owner: announced ? 'node-21' : 'node-22',
  };
}

function result(decisions: L2Decision[]): L2ElectionResult {
  const ips = [...new Set(decisions.filter((d) => d.announced).flatMap((d) => d.ips))];
  return {
    decisions,
    owned: ips.map((text) => {
      const ip = parseIp(text);
      if (ip === undefined) throw new Error(text);
      return { ip, interfaces: undefined };
    }),
  };
}

class FakeResponder implements ResponderPort {
  owned: readonly OwnedAddress[] = [];
  closed = false;
  onClaimed: ((ip: string) => void) | undefined;
  reannounced: string[][] = [];
  constructor(readonly counters: L2Counters) {}
  setOwned(addresses: readonly OwnedAddress[]): void {
    this.owned = addresses;
  }
  interfaces(): Map<string, string> {
    return new Map([
      ['eth1', '02:00:00:00:00:02'],
      ['eth0', '02:00:00:00:00:01'],
    ]);
  }
  watchClaims(onClaimed: ((ip: string) => void) | undefined): void {
    this.onClaimed = onClaimed;
  }
  reannounce(ips: readonly string[]): void {
    this.reannounced.push([...ips]);
  }
  close(): void {
    this.closed = true;
  }
}

function setup() {
  const registry = new Registry();
  const created: FakeResponder[] = [];
  const gained: string[][] = [];
  const layer2 = createLayer2Speaker({
    nodeName: 'node-21',
    logger,
    registry,
    onGained: (decisions) => gained.push(decisions.map((d) => d.name)),
    createResponder: (counters) => {
      const responder = new FakeResponder(counters);
      created.push(responder);
      return responder;
    },
  });
  return { registry, created, layer2, gained };
}

describe('layer2 speaker', () => {
  it('opens no responder without a layer 2 configuration', () => {
    const { created, layer2 } = setup();
    layer2.update(undefined);
    expect(created).toEqual([]);
    expect(layer2.statuses()).toEqual([]);
  });

  it('hands the owned IPs to the responder and reports ServiceL2Status with the interfaces answered on', () => {
    const { created, layer2, gained } = setup();
    layer2.update(
      result([decision('web', true), decision('api', true, ['eth1', 'eth9']), decision('db', false)]),
    );
    expect(created[0]?.owned.map((owned) => owned.ip.text)).toEqual(['192.0.2.200']);
    expect(layer2.statuses()).toEqual([
      { namespace: 'default', name: 'web', node: 'node-21', interfaces: ['eth0', 'eth1'] },
      { namespace: 'default', name: 'api', node: 'node-21', interfaces: ['eth1'] },
    ]);
    expect(gained).toEqual([['web', 'api']]);
    layer2.update(result([decision('web', true), decision('api', false)]));
    expect(layer2.statuses().map((s) => s.name)).toEqual(['web']);
  });

  it('reports each gained Service once per ownership change, whatever triggered the update', () => {
    const { layer2, gained } = setup();
    const sequence: Array<[string, L2Decision[]]> = [
      ['web owned', [decision('web', true), decision('api', false)]],
      ['same again (a reconcile)', [decision('web', true), decision('api', false)]],
      ['api too (a node died)', [decision('web', true), decision('api', true)]],
      ['web lost', [decision('web', false), decision('api', true)]],
      ['web back', [decision('web', true), decision('api', true)]],
    ];
    for (const [, decisions] of sequence) layer2.update(result(decisions));
    expect(gained).toEqual([['web'], ['api'], ['web']]);
  });

  it('announces an owned IP again when a node that was out of sight (and took it) is a candidate again', () => {
    const { created, layer2, gained } = setup();
    layer2.update(result([decision('web', true, undefined, '192.0.2.200', ['node-21'])]));
    layer2.update(result([decision('web', true, undefined, '192.0.2.200', ['node-21'])]));
    expect(created[0]?.reannounced).toEqual([]);
    layer2.update(result([decision('web', true)]));
    expect(created[0]?.reannounced).toEqual([['192.0.2.200']]);
    expect(gained).toEqual([['web']]);
  });

  it('release stops answering at once and ignores later updates', () => {
    const { created, layer2 } = setup();
    layer2.update(result([decision('web', true)]));
    layer2.release();
    expect(created[0]?.owned).toEqual([]);
    layer2.update(result([decision('web', true)]));
    expect(created[0]?.owned).toEqual([]);
    expect(layer2.statuses()).toEqual([]);
  });

  it('hand-over: keeps answering each IP until another node announces it, then stops for that IP', async () => {
    const { created, layer2 } = setup();
    layer2.update(
      result([
        decision('web', true),
        decision('api', true, undefined, '192.0.2.201'),
        decision('solo', true, undefined, '192.0.2.209', ['node-21']),
      ]),
    );
    const responder = created[0];
    const done = layer2.handOver(5_000);
    // updates no longer change anything: this node is leaving
    layer2.update(result([decision('web', false)]));
    expect(responder?.owned.map((o) => o.ip.text)).toEqual(['192.0.2.200', '192.0.2.201', '192.0.2.209']);
    responder?.onClaimed?.('192.0.2.201');
    expect(responder?.owned.map((o) => o.ip.text)).toEqual(['192.0.2.200', '192.0.2.209']);
    responder?.onClaimed?.('192.0.2.201');
    responder?.onClaimed?.('192.0.2.200');
    // the sole candidate's IP has nobody to wait for
    await expect(done).resolves.toEqual({ handedOver: ['192.0.2.201', '192.0.2.200'], notSeen: [] });
    expect(responder?.owned).toEqual([]);
    expect(responder?.onClaimed).toBeUndefined();
  });

  it('hand-over: gives up at the deadline and answers for nothing', async () => {
    const { created, layer2 } = setup();
    layer2.update(result([decision('web', true)]));
    await expect(layer2.handOver(20)).resolves.toEqual({ handedOver: [], notSeen: ['192.0.2.200'] });
    expect(created[0]?.owned).toEqual([]);
  });

  it("counts with MetalLB's metric names and the ip label", async () => {
    const { created, layer2, registry } = setup();
    layer2.update(result([decision('web', true)]));
    created[0]?.counters.requestReceived('192.0.2.200');
    created[0]?.counters.responseSent('192.0.2.200');
    created[0]?.counters.gratuitousSent('192.0.2.200');
    const text = await registry.metrics();
    expect(text).toContain('metallb_layer2_requests_received{ip="192.0.2.200"} 1');
    expect(text).toContain('metallb_layer2_responses_sent{ip="192.0.2.200"} 1');
    expect(text).toContain('metallb_layer2_gratuitous_sent{ip="192.0.2.200"} 1');
  });
});
