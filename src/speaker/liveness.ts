// Layer 2 liveness from BFD: every node's FRR runs a single-hop BFD session to every other node
// (rendered when an L2Advertisement exists), and this monitor reads them from bfdd's vty socket
// every 200 ms. A node whose session was up and went down is dead for the owner election until it
// comes back; a node with no session (no InternalIP, or not yet up since this speaker started)
// counts as alive, leaving the decision to the Node's Ready condition (the slow fallback).
// A starting speaker counts itself out until one of its own sessions is up (or a warm-up passed):
// after a restart the node that owned an IP meanwhile keeps it until it sees this node's session
// come up, and then both switch at about the same moment instead of answering side by side.
import type { Logger } from 'winston';
import type { NodeInfo } from '../api/cluster.js';
import { parseBfdPeers, type BfdSession } from '../frr/parse/bfd-peers.js';
import type { VtyChannel } from '../frr/vty-channel.js';

/** Dead nodes: sessions seen up before (`seenUp`, updated in place) and not up now. */
export function deadNodes(
  sessions: readonly BfdSession[],
  nodes: readonly NodeInfo[],
  seenUp: Set<string>,
): Set<string> {
  const byAddress = new Map(nodes.flatMap((node) => (node.internalIPs ?? []).map((ip) => [ip, node.name])));
  const dead = new Set<string>();
  for (const session of sessions) {
    if (session.multihop || session.vrf !== 'default') continue;
    const node = byAddress.get(session.peer);
    if (node === undefined) continue;
    if (session.status === 'up') seenUp.add(node);
    else if (seenUp.has(node)) dead.add(node);
  }
  return dead;
}

/**
 * The nodes to elect among; undefined = no say (nothing dead, this node ready). `self` is left out
 * until `selfReady`.
 */
export function aliveNodes(
  nodes: readonly NodeInfo[],
  dead: ReadonlySet<string>,
  self: string,
  selfReady: boolean,
): ReadonlySet<string> | undefined {
  if (dead.size === 0 && selfReady) return undefined;
  return new Set(
    nodes
      .filter((node) => !dead.has(node.name) && (selfReady || node.name !== self))
      .map((node) => node.name),
  );
}

/** Whether this node has anyone to run a liveness session with (an address, and another node with one). */
function hasLivenessPeers(nodes: readonly NodeInfo[], self: string): boolean {
  const withAddress = nodes.filter((node) => (node.internalIPs ?? []).length > 0);
  return withAddress.some((node) => node.name === self) && withAddress.some((node) => node.name !== self);
}

export interface LivenessMonitor {
  /** nodes considered alive; undefined while the monitor has nothing to say */
  alive(): ReadonlySet<string> | undefined;
  /** the cluster's Nodes, and whether layer 2 is configured at all (no polling otherwise) */
  setNodes(nodes: readonly NodeInfo[], active: boolean): void;
  stop(): void;
}

export interface BfdLivenessOptions {
  readonly channel: VtyChannel;
  readonly logger: Logger;
  /** called when the set of dead nodes changed */
  readonly onChange: () => void;
  readonly intervalMs?: number;
  /** this node's name */
  readonly self: string;
  /** longest a starting speaker waits for one of its sessions before counting itself in; default 5 s */
  readonly warmUpMs?: number;
}

export function createBfdLiveness(options: BfdLivenessOptions): LivenessMonitor {
  let nodes: readonly NodeInfo[] = [];
  let active = false;
  let dead = new Set<string>();
  const seenUp = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let warmUp: NodeJS.Timeout | undefined;
  let selfReady = false;
  const becomeReady = (why: string): void => {
    if (selfReady) return;
    selfReady = true;
    if (warmUp !== undefined) clearTimeout(warmUp);
    options.logger.info('layer2 liveness: this node counts itself in', { reason: why });
    options.onChange();
  };
  let polling = false;
  let failing = false;
  const failed = (why: string): void => {
    // once per failure streak: a liveness source that cannot be read leaves only Node Ready
    if (!failing) options.logger.warn('layer2 liveness: cannot read BFD peers', { error: why });
    failing = true;
  };

  async function poll(): Promise<void> {
    if (polling) return;
    polling = true;
    try {
      const result = await options.channel.run(['show bfd peers json']);
      if (!result.ok) return failed(result.error.message);
      failing = false;
      const output = result.value[0]?.output ?? '[]';
      const upBefore = seenUp.size;
      const next = deadNodes(parseBfdPeers(JSON.parse(output === '' ? '[]' : output)), nodes, seenUp);
      if (seenUp.size !== upBefore)
        options.logger.info('layer2 liveness: BFD up with', { nodes: [...seenUp].sort() });
      if (seenUp.size > 0) becomeReady('a BFD session is up');
      const changed = next.size !== dead.size || [...next].some((node) => !dead.has(node));
      dead = next;
      if (changed) {
        options.logger.info('layer2 liveness changed (BFD)', { dead: [...next].sort() });
        options.onChange();
      }
    } catch (error) {
      failed(String(error));
    } finally {
      polling = false;
    }
  }

  return {
    alive: () => (active ? aliveNodes(nodes, dead, options.self, selfReady) : undefined),
    setNodes(next, nextActive) {
      nodes = next;
      active = nextActive;
      if (active && !selfReady && !hasLivenessPeers(nodes, options.self)) selfReady = true;
      if (active && !selfReady && warmUp === undefined) {
        warmUp = setTimeout(
          () => becomeReady('no BFD session up within the warm-up'),
          options.warmUpMs ?? 5_000,
        );
        warmUp.unref();
      }
      if (active && timer === undefined) {
        timer = setInterval(() => void poll(), options.intervalMs ?? 200);
        timer.unref();
      } else if (!active && timer !== undefined) {
        clearInterval(timer);
        timer = undefined;
      }
    },
    stop() {
      if (timer !== undefined) clearInterval(timer);
      if (warmUp !== undefined) clearTimeout(warmUp);
      timer = undefined;
      options.channel.close();
    },
  };
}
