import { Registry } from 'prom-client';
import winston from 'winston';
import type { L2Decision, L2ElectionResult } from '../l2/election.js';
import type { OwnedAddress } from '../l2/owned.js';
import type { L2Counters } from '../l2/responder.js';
import { parseIp } from '../net/ip.js';
import { createLayer2Speaker, type ResponderPort } from './layer2.js';

const logger = winston.createLogger({ silent: true });

function decision(name: string, announced: boolean, interfaces?: string[]): L2Decision {
  return {
    namespace: 'default',
    name,
    ips: ['192.0.2.200'],
    pool: 'l2-pool',
    announced,
    reason: announced ? '' : 'notOwner',
    detail: '',
    owner: announced ? 'node-21' : 'node-22',
    candidates: ['node-21', 'node-22'],
    excluded: [],
    interfaces,
  };
}

function result(decisions: L2Decision[]): L2ElectionResult {
  const ip = parseIp('192.0.2.200');
  if (ip === undefined) throw new Error('ip');
  return { decisions, owned: decisions.some((d) => d.announced) ? [{ ip, interfaces: undefined }] : [] };
}

class FakeResponder implements ResponderPort {
  owned: readonly OwnedAddress[] = [];
  closed = false;
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
  close(): void {
    this.closed = true;
  }
}

function setup() {
  const registry = new Registry();
  const created: FakeResponder[] = [];
  const layer2 = createLayer2Speaker({
    nodeName: 'node-21',
    logger,
    registry,
    createResponder: (counters) => {
      const responder = new FakeResponder(counters);
      created.push(responder);
      return responder;
    },
  });
  return { registry, created, layer2 };
}

describe('layer2 speaker', () => {
  it('opens no responder without a layer 2 configuration', () => {
    const { created, layer2 } = setup();
    layer2.update(undefined);
    expect(created).toEqual([]);
    expect(layer2.statuses()).toEqual([]);
  });

  it('hands the owned IPs to the responder and reports ServiceL2Status with the interfaces answered on', () => {
    const { created, layer2 } = setup();
    layer2.update(
      result([decision('web', true), decision('api', true, ['eth1', 'eth9']), decision('db', false)]),
    );
    expect(created[0]?.owned.map((owned) => owned.ip.text)).toEqual(['192.0.2.200']);
    expect(layer2.statuses()).toEqual([
      { namespace: 'default', name: 'web', node: 'node-21', interfaces: ['eth0', 'eth1'] },
      { namespace: 'default', name: 'api', node: 'node-21', interfaces: ['eth1'] },
    ]);
    expect(layer2.newlyOwned().map((d) => d.name)).toEqual(['web', 'api']);
    layer2.update(result([decision('web', true), decision('api', false)]));
    expect(layer2.newlyOwned()).toEqual([]);
    expect(layer2.statuses().map((s) => s.name)).toEqual(['web']);
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
