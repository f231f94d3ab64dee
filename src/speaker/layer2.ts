// The speaker's layer 2 side: the election result → the ARP/NDP responder (which IPs this node
// answers for, on which interfaces), MetalLB's layer2 metrics, ServiceL2Status per owned Service and
// the Services this node newly owns (for `nodeAssigned` events). The responder (and the native
// packet-socket addon) is only created once some L2Advertisement exists: BGP-only speakers never
// open a packet socket and never need NET_RAW. On a graceful stop it hands its IPs over: it keeps
// answering each until another node announces it (that node's gratuitous ARP / unsolicited NA).
import { Counter, type Registry } from 'prom-client';
import type { Logger } from 'winston';
import type { L2Decision, L2ElectionResult } from '../l2/election.js';
import type { OwnedAddress } from '../l2/owned.js';
import { ipsToReannounce } from '../l2/reannounce.js';
import { L2Responder, type L2Counters } from '../l2/responder.js';

export interface L2ServiceStatus {
  readonly namespace: string;
  readonly name: string;
  readonly node: string;
  /** interfaces this node answers on for the Service, sorted */
  readonly interfaces: readonly string[];
}

/** What the responder must offer (L2Responder, or a fake in tests). */
export interface ResponderPort {
  setOwned(addresses: readonly OwnedAddress[]): void;
  interfaces(): Map<string, string>;
  /** calls `onClaimed` with each owned IP another host announces (undefined: stop watching) */
  watchClaims(onClaimed: ((ip: string) => void) | undefined): void;
  /** gratuitous ARP / unsolicited NA again for these owned IPs (rounds as on taking them) */
  reannounce(ips: readonly string[]): void;
  close(): void;
}

export interface HandOverResult {
  /** IPs another node announced before the deadline */
  readonly handedOver: readonly string[];
  /** IPs with another candidate that no node was seen announcing */
  readonly notSeen: readonly string[];
}

export interface Layer2Options {
  readonly nodeName: string;
  readonly logger: Logger;
  readonly registry: Registry;
  /** default: a real L2Responder */
  readonly createResponder?: (counters: L2Counters) => ResponderPort;
  /**
   * Services this node owns now and did not at the previous update (whatever caused it: objects,
   * BFD, pod readiness): MetalLB's `nodeAssigned` event, once per ownership change
   */
  readonly onGained?: (decisions: readonly L2Decision[]) => void;
}

export interface Layer2Speaker {
  /** Applies an election result (undefined: no layer 2 configuration: answer for nothing). */
  update(result: L2ElectionResult | undefined): void;
  /** ServiceL2Status of every Service this node owns now */
  statuses(): L2ServiceStatus[];
  /**
   * Graceful stop: ignores later updates, keeps answering each owned IP that has another candidate
   * until another node announces it (then stops answering it at once), at most `timeoutMs`; then
   * answers for nothing
   */
  handOver(timeoutMs: number): Promise<HandOverResult>;
  /** stops answering at once */
  release(): void;
  close(): void;
}

export function createLayer2Speaker(options: Layer2Options): Layer2Speaker {
  const label = { labelNames: ['ip'] as const, registers: [options.registry] };
  const requests = new Counter({
    name: 'metallb_layer2_requests_received',
    help: 'Number of layer2 requests received for owned IPs',
    ...label,
  });
  const responses = new Counter({
    name: 'metallb_layer2_responses_sent',
    help: 'Number of layer2 responses sent for owned IPs in response to requests',
    ...label,
  });
  const gratuitous = new Counter({
    name: 'metallb_layer2_gratuitous_sent',
    help: 'Number of gratuitous layer2 packets sent for owned IPs as a result of failovers',
    ...label,
  });
  const counters: L2Counters = {
    requestReceived: (ip) => requests.inc({ ip }),
    responseSent: (ip) => responses.inc({ ip }),
    gratuitousSent: (ip) => gratuitous.inc({ ip }),
  };
  const create =
    options.createResponder ??
    ((c: L2Counters) =>
      new L2Responder({ logger: options.logger.child({ component: 'layer2' }), counters: c }));
  let responder: ResponderPort | undefined;
  let responderFailed = false;
  let owned: readonly L2Decision[] = [];
  let ownedAddresses: readonly OwnedAddress[] = [];
  let released = false;
  let handingOver = false;

  const key = (decision: L2Decision) => `${decision.namespace}/${decision.name}`;

  function ensureResponder(): ResponderPort | undefined {
    if (responder !== undefined || responderFailed) return responder;
    try {
      responder = create(counters);
    } catch (error) {
      responderFailed = true;
      options.logger.error('layer2: cannot start the ARP/NDP responder; this node answers for nothing', {
        error: String(error),
      });
    }
    return responder;
  }

  function release(): void {
    released = true;
    owned = [];
    ownedAddresses = [];
    responder?.setOwned([]);
  }

  return {
    update(result) {
      if (released || handingOver) return;
      const now = (result?.decisions ?? []).filter((decision) => decision.announced);
      const before = new Set(owned.map(key));
      const gained = now.filter((decision) => !before.has(key(decision)));
      const again = ipsToReannounce(owned, now);
      owned = now;
      ownedAddresses = result?.owned ?? [];
      if (result === undefined) responder?.setOwned([]);
      else ensureResponder()?.setOwned(result.owned);
      if (again.length > 0) responder?.reannounce(again);
      if (gained.length > 0) options.onGained?.(gained);
    },
    statuses() {
      const available = [...(responder?.interfaces().keys() ?? [])].sort();
      return owned.map((decision) => ({
        namespace: decision.namespace,
        name: decision.name,
        node: options.nodeName,
        interfaces:
          decision.interfaces === undefined
            ? available
            : decision.interfaces.filter((name) => available.includes(name)),
      }));
    },
    async handOver(timeoutMs) {
      if (released || handingOver) return { handedOver: [], notSeen: [] };
      handingOver = true;
      const port = responder;
      // a sole candidate has nobody to hand over to
      const waiting = new Set(owned.filter((d) => d.candidates.length > 1).flatMap((d) => d.ips));
      const handedOver: string[] = [];
      if (port !== undefined && waiting.size > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          port.watchClaims((ip) => {
            if (!waiting.delete(ip)) return;
            handedOver.push(ip);
            // the next owner answers now: stop at once, so clients do not flip back to us
            ownedAddresses = ownedAddresses.filter((address) => address.ip.text !== ip);
            port.setOwned(ownedAddresses);
            if (waiting.size > 0) return;
            clearTimeout(timer);
            resolve();
          });
        });
        port.watchClaims(undefined);
      }
      release();
      return { handedOver, notSeen: [...waiting] };
    },
    release,
    close() {
      released = true;
      responder?.close();
      responder = undefined;
    },
  };
}
