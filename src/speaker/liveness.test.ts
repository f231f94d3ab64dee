import type { NodeInfo } from '../api/cluster.js';
import type { BfdSession } from '../frr/parse/bfd-peers.js';
import winston from 'winston';
import type { VtyChannel } from '../frr/vty-channel.js';
import { aliveNodes, createBfdLiveness, deadNodes } from './liveness.js';
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

describe('aliveNodes', () => {
  const names = (set: ReadonlySet<string> | undefined) => (set === undefined ? undefined : [...set].sort());
  test.each([
    ['nothing dead, warm: no say', new Set<string>(), true, undefined],
    ['a dead node is left out', new Set(['n3']), true, ['n1', 'n2', 'n4']],
    ['a starting node leaves itself out until a session is up', new Set<string>(), false, ['n2', 'n3', 'n4']],
    ['both', new Set(['n3']), false, ['n2', 'n4']],
  ])('%s', (_name, dead, selfReady, expected) => {
    expect(names(aliveNodes(NODES, dead, 'n1', selfReady))).toEqual(expected);
  });
});

describe('createBfdLiveness: a starting speaker counts itself in once one of its sessions is up', () => {
  function fakeChannel(sessions: () => object[]): VtyChannel {
    return {
      run: async () => ({
        ok: true,
        value: [{ command: 'show bfd peers json', output: JSON.stringify(sessions()) }],
      }),
      close: () => undefined,
    } as unknown as VtyChannel;
  }
  const peer = (address: string, status: string) => ({
    peer: address,
    status,
    multihop: false,
    vrf: 'default',
  });

  it('waits for a session, then re-elects with itself in', async () => {
    let status = 'down';
    const changes: number[] = [];
    const monitor = createBfdLiveness({
      channel: fakeChannel(() => [peer('192.0.2.12', status)]),
      logger: winston.createLogger({ silent: true }),
      onChange: () => changes.push(1),
      intervalMs: 10,
      self: 'n1',
    });
    monitor.setNodes(NODES, true);
    expect(monitor.alive()?.has('n1')).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(monitor.alive()?.has('n1')).toBe(false);
    status = 'up';
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(monitor.alive()).toBeUndefined();
    expect(changes.length).toBe(1);
    monitor.stop();
  });

  it('counts itself in after the warm-up when no session comes up, and at once without peers', async () => {
    const changes: number[] = [];
    const monitor = createBfdLiveness({
      channel: fakeChannel(() => []),
      logger: winston.createLogger({ silent: true }),
      onChange: () => changes.push(1),
      intervalMs: 10,
      warmUpMs: 30,
      self: 'n1',
    });
    monitor.setNodes(NODES, true);
    expect(monitor.alive()?.has('n1')).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(monitor.alive()).toBeUndefined();
    expect(changes.length).toBe(1);
    monitor.stop();
    const alone = createBfdLiveness({
      channel: fakeChannel(() => []),
      logger: winston.createLogger({ silent: true }),
      onChange: () => undefined,
      self: 'n4',
    });
    alone.setNodes(NODES, true);
    expect(alone.alive()).toBeUndefined();
    alone.stop();
  });
});
