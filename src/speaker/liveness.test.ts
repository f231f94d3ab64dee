import type { NodeInfo } from '../api/cluster.js';
import type { BfdSession } from '../frr/parse/bfd-peers.js';
import { deadNodes } from './liveness.js';
import { livenessPeersOf } from './reconciler.js';

const node = (name: string, ip?: string): NodeInfo => ({
  name,
  labels: {},
  networkUnavailable: false,
  ...(ip === undefined ? {} : { internalIPs: [ip] }),
});
const NODES = [node('n1', '192.0.2.11'), node('n2', '192.0.2.12'), node('n3', '192.0.2.13'), node('n4')];

function session(peer: string, status: 'up' | 'down', overrides: Partial<BfdSession> = {}): BfdSession {
  return {
    peer,
    local: undefined,
    vrf: 'default',
    interface: undefined,
    multihop: false,
    id: 1,
    remoteId: 2,
    status,
    diagnostic: undefined,
    remoteDiagnostic: undefined,
    uptimeSeconds: undefined,
    downtimeSeconds: undefined,
    passive: false,
    configured: {
      receiveMs: 100,
      transmitMs: 100,
      echoReceiveMs: undefined,
      echoTransmitMs: undefined,
      detectMultiplier: 3,
    },
    remote: {
      receiveMs: 100,
      transmitMs: 100,
      echoReceiveMs: undefined,
      echoTransmitMs: undefined,
      detectMultiplier: 3,
    },
    negotiated: undefined,
    ...overrides,
  } as BfdSession;
}

describe('deadNodes (BFD liveness)', () => {
  it('a node is dead once its session went down after having been up, and alive again when it returns', () => {
    const seenUp = new Set<string>();
    expect(deadNodes([session('192.0.2.12', 'down'), session('192.0.2.13', 'up')], NODES, seenUp)).toEqual(
      new Set(),
    );
    expect(deadNodes([session('192.0.2.12', 'up'), session('192.0.2.13', 'down')], NODES, seenUp)).toEqual(
      new Set(['n3']),
    );
    expect(deadNodes([session('192.0.2.12', 'up'), session('192.0.2.13', 'up')], NODES, seenUp)).toEqual(
      new Set(),
    );
  });

  it('ignores sessions to non-nodes (the ToRs), multihop and other VRFs', () => {
    const seenUp = new Set(['n2']);
    expect(
      deadNodes(
        [
          session('192.0.2.1', 'down'),
          session('192.0.2.12', 'down', { multihop: true }),
          session('192.0.2.12', 'down', { vrf: 'red' }),
        ],
        NODES,
        seenUp,
      ),
    ).toEqual(new Set());
  });
});

describe('livenessPeersOf', () => {
  it("every other node's InternalIP of this node's family; none without an own address", () => {
    expect(livenessPeersOf(NODES, node('n1', '192.0.2.11'))).toEqual(['192.0.2.12', '192.0.2.13']);
    expect(livenessPeersOf(NODES, node('n4'))).toEqual([]);
  });
});
