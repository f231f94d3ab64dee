// The per-Service part of the announce decision, remembered per Service object for callers of the
// full pipeline (`announcementsForNode`) that reconcile repeatedly over informer caches handing out
// the same objects until they change: a reconcile after one Service changed recomputes only that
// Service. The speaker no longer uses it (its per-Service state lives in
// src/node-pipeline/incremental-node.ts, which shares this module's types); bench/reconcile.ts keeps
// it as the baseline of the full path. The caller creates the memo and passes it in; without one every Service is
// judged afresh, so `announcementsForNode` stays a function of its arguments.
import type { EndpointSliceInfo, NodeInfo, ServiceInfo } from '../api/cluster.js';
import type { BgpAdvertisement, Config } from '../config/types.js';
import type { IpFamily } from '../net/ip.js';
import type { ServiceDecision } from './types.js';

/** One (prefix, peer) route a Service adds to the node's table, as `PeerRouteTable.add` takes it. */
export type RouteArguments = readonly [
  prefix: string,
  family: IpFamily,
  peer: string,
  advertisement: BgpAdvertisement,
  service: string,
];

/** What every remembered decision depends on besides the Service and its EndpointSlices. */
export interface MemoScope {
  readonly config: Config;
  readonly node: NodeInfo;
  readonly ignoreExcludeLB: boolean;
  readonly lbClass: string;
}

export interface RememberedDecision {
  readonly decisions: readonly ServiceDecision[];
  readonly routes: readonly RouteArguments[];
}

interface Entry extends RememberedDecision {
  readonly slices: readonly EndpointSliceInfo[];
}

export interface MemoCounters {
  /** Services whose remembered decision was reused */
  readonly hits: number;
  /** Services judged afresh */
  readonly misses: number;
  /** times a new Config, Node or option object dropped every remembered decision */
  readonly invalidations: number;
}

export class ServiceDecisionMemo {
  private scope: MemoScope | undefined;
  // Weak, so a Service object the caches no longer hold is forgotten without bookkeeping.
  private entries = new WeakMap<ServiceInfo, Entry>();
  private hits = 0;
  private misses = 0;
  private invalidations = 0;

  /**
   * Starts a decision under `scope`: a Config, Node or option that is not the same object (or value)
   * as last time forgets everything remembered, since every decision depends on them.
   */
  enter(scope: MemoScope): void {
    const current = this.scope;
    if (
      current !== undefined &&
      current.config === scope.config &&
      current.node === scope.node &&
      current.ignoreExcludeLB === scope.ignoreExcludeLB &&
      current.lbClass === scope.lbClass
    ) {
      return;
    }
    if (current !== undefined) {
      this.entries = new WeakMap();
      this.invalidations++;
    }
    this.scope = {
      config: scope.config,
      node: scope.node,
      ignoreExcludeLB: scope.ignoreExcludeLB,
      lbClass: scope.lbClass,
    };
  }

  /** The decision remembered for this Service object, if its EndpointSlices are the same objects. */
  recall(service: ServiceInfo, slices: readonly EndpointSliceInfo[]): RememberedDecision | undefined {
    const entry = this.entries.get(service);
    if (entry !== undefined && sameElements(entry.slices, slices)) {
      this.hits++;
      return entry;
    }
    this.misses++;
    return undefined;
  }

  remember(service: ServiceInfo, slices: readonly EndpointSliceInfo[], decision: RememberedDecision): void {
    this.entries.set(service, { slices, decisions: decision.decisions, routes: decision.routes });
  }

  counters(): MemoCounters {
    return { hits: this.hits, misses: this.misses, invalidations: this.invalidations };
  }
}

function sameElements<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}
