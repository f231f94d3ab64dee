// One node's frr.conf kept up to date object by object (the speaker's reconciler): a change of one
// Service or EndpointSlice re-judges that Service, re-merges the (prefix, peer) routes it touches,
// re-classifies those prefixes and records the `network` lines that changed, so the work per event is
// proportional to the change, not to the number of Services. Anything else (Config, this Node, the
// options, the layer 2 liveness peers) rebuilds everything with the same functions the full path
// uses (`frrConfigForNode`), which the property test holds this against.
//
// No I/O: a mutable state whose methods return what changed. The text of frr.conf is rendered only
// when asked (the sync loop asks once per apply); between two versions with the same sessions and
// announce classes the change is known as typed network edits (router, family, prefix).
import {
  announceScope,
  judgeService,
  localPrefWarning,
  mergedAdvertisement,
  routeKey,
  serviceKey,
  sortByPrefixThenPeer,
  sortDecisions,
  withSharing,
  type AnnounceScope,
  type ServiceCoverage,
} from '../announce/announcements.js';
import type { RememberedDecision, RouteArguments } from '../announce/service-decision-memo.js';
import type {
  AnnounceOptions,
  AnnounceResult,
  PeerAdvertisement,
  ServiceDecision,
} from '../announce/types.js';
import type { EndpointSliceInfo, NodeInfo, ServiceInfo } from '../api/cluster.js';
import type { Config, Peer } from '../config/types.js';
import { mappingDescription, type AnnounceClass } from '../frr/announce-class.js';
import { addressFamilyLineText, networkLineText, routerBgpLineText } from '../frr/apply/bgp-lines.js';
import type { ConfigEdit } from '../frr/apply/config-edit.js';
import type { DesiredRouter, DesiredRouters } from '../frr/apply/stale-advertisements.js';
import { buildFrrModel, prefixMapping, type FrrModelBuild } from '../frr/build-model.js';
import type { AddressFamily, FrrModel, NetworkModel } from '../frr/model.js';
import type { FrrRenderer } from '../frr/render.js';
import { prefixSortText } from '../net/address-order.js';
import { familyOfText, parseIp, prefixOf, type IpFamily, type ParsedIp } from '../net/ip.js';
import { compareText } from '../util/order.js';
import { StringSetMap } from '../util/string-set-map.js';

/** Everything every Service's decision depends on besides the Service and its EndpointSlices. */
export interface NodeScope {
  readonly config: Config;
  readonly node: NodeInfo;
  readonly options?: AnnounceOptions & { readonly logLevel?: string };
  /** other nodes' addresses to run BFD with (layer 2 liveness) */
  readonly livenessPeers?: readonly string[];
  /** the liveness sessions rendered administratively down (this speaker hands its IPs over) */
  readonly livenessShutdown?: boolean;
}

/** One object as the informers report it; `undefined` = deleted. Keys are `namespace/name`. */
export type ObjectChange =
  | { readonly kind: 'service'; readonly key: string; readonly object: ServiceInfo | undefined }
  | { readonly kind: 'endpointSlice'; readonly key: string; readonly object: EndpointSliceInfo | undefined };

export interface NodeChange {
  /** the state's version after the change */
  readonly version: number;
  /** Services (`namespace/name`) whose decisions may differ; 'all' after a rebuild of everything */
  readonly services: ReadonlySet<string> | 'all';
}

/** Keeps the network-edit log from holding more than this many changes (a burst): text diff instead. */
const EDIT_LOG_LIMIT = 50_000;

interface NetworkEditEntry {
  readonly version: number;
  readonly router: number;
  readonly family: AddressFamily;
  readonly prefix: string;
  readonly before: string | undefined;
  readonly after: string | undefined;
}

interface ClassifiedPrefix {
  readonly family: AddressFamily;
  readonly description: string;
}

const sameStrings = (a: readonly string[] | undefined, b: readonly string[] | undefined) =>
  (a ?? []).length === (b ?? []).length && (a ?? []).every((item, index) => item === b?.[index]);

function sameScope(a: NodeScope, b: NodeScope): boolean {
  return (
    a.config === b.config &&
    JSON.stringify(a.node) === JSON.stringify(b.node) &&
    (a.options?.ignoreExcludeLB ?? false) === (b.options?.ignoreExcludeLB ?? false) &&
    (a.options?.lbClass ?? '') === (b.options?.lbClass ?? '') &&
    a.options?.logLevel === b.options?.logLevel &&
    sameStrings(a.livenessPeers, b.livenessPeers) &&
    (a.livenessShutdown ?? false) === (b.livenessShutdown ?? false)
  );
}

export class IncrementalNodeConfig {
  private scope: NodeScope | undefined;
  private announce!: AnnounceScope;
  private peerList: readonly Peer[] = [];
  /** family → the aggregation lengths the advertisements use (prefixes that can cover an IP) */
  private lengths = new Map<IpFamily, number[]>();

  private readonly services = new Map<string, ServiceInfo>();
  /** Service key → its EndpointSlices by slice key */
  private readonly slicesByService = new Map<string, Map<string, EndpointSliceInfo>>();
  private readonly sliceOwner = new Map<string, string>();
  /** LoadBalancer Services' own decisions (before sharing) and routes */
  private readonly judged = new Map<string, RememberedDecision>();
  /** decisions with sharing, per Service, until a Service covering the same IPs changes */
  private readonly shared = new Map<string, readonly ServiceDecision[]>();

  /** route key (prefix + peer) → the Services with routes to it (their routes: `judged`) */
  private readonly routes = new StringSetMap<string>();
  private readonly advertisement = new Map<string, PeerAdvertisement>();
  private readonly warning = new Map<string, string>();
  /** prefix → peer → advertisement */
  private readonly byPrefix = new Map<string, Map<string, PeerAdvertisement>>();
  /** `family/length` → prefix → Services whose routes carry it (PrefixCoverage, kept up to date) */
  private readonly covering = new Map<string, StringSetMap<string>>();
  /** `family/length` → prefix containing a decision's IP → Services with such an IP */
  private readonly ipsUnder = new Map<string, StringSetMap<string>>();

  private build!: FrrModelBuild;
  private readonly prefixClass = new Map<string, ClassifiedPrefix>();
  private readonly descriptionCount = new Map<string, number>();
  /** one string per description in use (10,000 prefixes share a handful of classes) */
  private readonly descriptions = new Map<string, string>();
  /** class name → the (router, family) blocks its prefixes are `network` lines in */
  private classTargets = new Map<string, { router: number; family: AddressFamily }[]>();
  /** per router of the model, per family: prefix → route map */
  private networks: Map<AddressFamily, Map<string, string>>[] = [];
  private structuralDirty = false;
  /** a network line changed during the current change */
  private networksTouched = false;
  /** descriptions whose last prefix left during the current change */
  private readonly emptiedClasses = new Set<string>();

  private currentVersion = 0;
  /** changes with the text of frr.conf only (a version may change decisions alone) */
  private currentTextVersion = 0;
  /** the last version whose sessions, route maps or classes differ from the one before */
  private structuralVersion = 0;
  private editLog: NetworkEditEntry[] = [];
  /** edits of versions up to this one are no longer in the log */
  private logFloor = 0;

  private textCache: { version: number; text: string } | undefined;
  /** prefix → its prefixSortText, kept between renders */
  private readonly sortTexts = new Map<string, string>();
  private announceCache: { version: number; result: AnnounceResult } | undefined;

  constructor(private readonly render: FrrRenderer) {}

  version(): number {
    return this.currentVersion;
  }

  textVersion(): number {
    return this.currentTextVersion;
  }

  /**
   * Takes the whole view. With the same Config object, Node, options and liveness peers as before
   * only the Services and EndpointSlices that are not the same objects are re-judged; otherwise
   * everything is rebuilt.
   */
  rebuild(
    scope: NodeScope,
    services: readonly ServiceInfo[],
    endpointSlices: readonly EndpointSliceInfo[],
  ): NodeChange {
    if (this.scope !== undefined && sameScope(this.scope, scope)) {
      return this.change(this.differences(services, endpointSlices));
    }
    this.scope = scope;
    this.announce = announceScope({ config: scope.config, node: scope.node, options: scope.options ?? {} });
    this.peerList = this.announce.peers.map((p) => p.peer);
    this.lengths = new Map<IpFamily, number[]>([
      ['ipv4', [...new Set(scope.config.advertisements.map((a) => a.aggregationLength))]],
      ['ipv6', [...new Set(scope.config.advertisements.map((a) => a.aggregationLengthV6))]],
    ]);
    this.services.clear();
    this.slicesByService.clear();
    this.sliceOwner.clear();
    for (const slice of endpointSlices) this.putSlice(`${slice.namespace}/${slice.name}`, slice);
    for (const service of services) this.services.set(serviceKey(service), service);
    for (const table of [this.judged, this.shared, this.routes, this.advertisement, this.warning])
      table.clear();
    for (const table of [this.byPrefix, this.covering, this.ipsUnder]) table.clear();
    for (const key of this.services.keys()) this.judge(key);
    for (const key of this.routes.keys()) this.refreshRoute(key);
    this.rebuildModel();
    this.currentVersion++;
    this.currentTextVersion++;
    this.structuralVersion = this.currentVersion;
    return { version: this.currentVersion, services: 'all' };
  }

  /** Applies changes of Services and EndpointSlices; `rebuild` must have run once. */
  change(changes: readonly ObjectChange[]): NodeChange {
    if (this.scope === undefined) throw new Error('bug: IncrementalNodeConfig.change before rebuild');
    const touched = new Set<string>();
    for (const change of changes) {
      if (change.kind === 'service') {
        if (change.object === undefined) this.services.delete(change.key);
        else this.services.set(change.key, change.object);
        touched.add(change.key);
      } else {
        const before = this.sliceOwner.get(change.key);
        if (before !== undefined) touched.add(before);
        this.dropSlice(change.key);
        if (change.object !== undefined) touched.add(this.putSlice(change.key, change.object));
      }
    }
    const affected = new Set<string>(touched);
    const changedRoutes = new Set<string>();
    for (const key of touched) {
      const before = this.judged.get(key);
      this.unjudge(key);
      this.judge(key);
      const after = this.judged.get(key);
      for (const route of before?.routes ?? []) changedRoutes.add(routeKey(route));
      for (const route of after?.routes ?? []) changedRoutes.add(routeKey(route));
      // Another Service's sharing changes only where this one starts or stops carrying a prefix.
      const carried = (judged: RememberedDecision | undefined) =>
        new Set((judged?.routes ?? []).map((route) => route[0]));
      const old = carried(before);
      const now = carried(after);
      for (const prefix of [...old].filter((p) => !now.has(p)).concat([...now].filter((p) => !old.has(p)))) {
        const [, length = ''] = prefix.split('/');
        const family = familyOfText(prefix);
        for (const other of this.ipsUnder.get(`${family}/${length}`)?.members(prefix) ?? [])
          affected.add(other);
      }
    }
    for (const key of affected) this.shared.delete(key);
    const changedPrefixes = new Set<string>();
    for (const key of changedRoutes) {
      const prefix = this.refreshRoute(key);
      if (prefix !== undefined) changedPrefixes.add(prefix);
    }
    this.currentVersion++;
    this.networksTouched = false;
    for (const prefix of changedPrefixes) this.classifyPrefix(prefix, true);
    for (const description of this.emptiedClasses)
      if (!this.descriptionCount.has(description)) this.structuralDirty = true;
    this.emptiedClasses.clear();
    if (this.structuralDirty) {
      this.rebuildModel();
      this.structuralVersion = this.currentVersion;
    }
    if (this.structuralVersion === this.currentVersion || this.networksTouched) this.currentTextVersion++;
    return { version: this.currentVersion, services: affected };
  }

  peers(): readonly Peer[] {
    return this.peerList;
  }

  service(key: string): ServiceInfo | undefined {
    return this.services.get(key);
  }

  slicesOf(key: string): readonly EndpointSliceInfo[] {
    return [...(this.slicesByService.get(key)?.values() ?? [])];
  }

  allServices(): ServiceInfo[] {
    return [...this.services.values()];
  }

  allSlices(): EndpointSliceInfo[] {
    return [...this.slicesByService.values()].flatMap((slices) => [...slices.values()]);
  }

  /** A Service's decisions as `announcementsForNode` gives them (sharing included). */
  decisionsOf(key: string): readonly ServiceDecision[] {
    const cached = this.shared.get(key);
    if (cached !== undefined) return cached;
    const own = this.judged.get(key)?.decisions ?? [];
    const coverage: ServiceCoverage = { servicesCovering: (ip) => this.servicesCovering(ip) };
    const decisions = own.map((decision) => withSharing(decision, coverage));
    this.shared.set(key, decisions);
    return decisions;
  }

  /** The whole announce result, sorted as `announcementsForNode` sorts it (O(Services), cached per version). */
  announceResult(): AnnounceResult {
    if (this.announceCache?.version === this.currentVersion) return this.announceCache.result;
    const decisions = [...this.judged.keys()].flatMap((key) => this.decisionsOf(key));
    const result: AnnounceResult = {
      advertisements: sortByPrefixThenPeer([...this.advertisement.values()]),
      decisions: sortDecisions(decisions),
      warnings: [...this.warning.values()].sort(compareText),
    };
    this.announceCache = { version: this.currentVersion, result };
    return result;
  }

  /** The frr.conf text of the current version (rendered once per version). */
  text(): string {
    if (this.textCache?.version === this.currentTextVersion) return this.textCache.text;
    const text = this.render(this.model());
    this.textCache = { version: this.currentTextVersion, text };
    return text;
  }

  /** The routers and their network lines as `text()` renders them (live maps: read them at once). */
  routers(): DesiredRouters {
    const routers = new Map<string, DesiredRouter>();
    this.build.model.routers.forEach((router, index) => {
      routers.set(router.vrf, {
        router: routerBgpLineText({ asn: router.asn, vrf: router.vrf === '' ? undefined : router.vrf }),
        networks: this.networks[index] ?? new Map<AddressFamily, Map<string, string>>(),
      });
    });
    return routers;
  }

  /**
   * The network edits from version `base` to the current one when nothing but network lines changed
   * in between and the log still holds them (`[]`: no difference); undefined otherwise.
   */
  networkEditsSince(base: number): ConfigEdit[] | undefined {
    if (base < this.structuralVersion || base < this.logFloor || base > this.currentVersion) return undefined;
    const net = new Map<string, { entry: NetworkEditEntry; before: string | undefined }>();
    for (const entry of this.editLog) {
      if (entry.version <= base) continue;
      const key = `${entry.router}|${entry.family}|${entry.prefix}`;
      const known = net.get(key);
      net.set(key, { entry, before: known === undefined ? entry.before : known.before });
    }
    const adds: ConfigEdit[] = [];
    const removes: ConfigEdit[] = [];
    const ordered = [...net.values()].sort(
      (a, b) => a.entry.router - b.entry.router || compareText(a.entry.family, b.entry.family),
    );
    for (const { entry, before } of ordered) {
      const after = entry.after;
      if (before === after) continue;
      const path = this.familyPath(entry.router, entry.family);
      if (before === undefined && after !== undefined) adds.push({ kind: 'add-line', path, line: after });
      else if (before !== undefined && after !== undefined)
        adds.push({ kind: 'replace-line', path, old: before, line: after });
      else if (before !== undefined) removes.push({ kind: 'remove-line', path, line: before });
    }
    return [...adds, ...removes];
  }

  /** FRR holds version `version`: the log no longer needs the edits up to it. */
  forgetEditsThrough(version: number): void {
    const keep = this.editLog.findIndex((entry) => entry.version > version);
    if (keep < 0) this.editLog = [];
    else if (keep > 0) this.editLog = this.editLog.slice(keep);
    this.logFloor = Math.max(this.logFloor, Math.min(version, this.currentVersion));
  }

  // ---- Services and their routes ----

  /**
   * The Services and slices of `services` / `endpointSlices` that are not the objects held now. A
   * key listed twice (manifests can define an object twice) counts with its last object, as in a
   * rebuild.
   */
  private differences(
    services: readonly ServiceInfo[],
    endpointSlices: readonly EndpointSliceInfo[],
  ): ObjectChange[] {
    const changes: ObjectChange[] = [];
    const latestServices = new Map<string, ServiceInfo>();
    for (const service of services) latestServices.set(serviceKey(service), service);
    for (const [key, service] of latestServices)
      if (this.services.get(key) !== service) changes.push({ kind: 'service', key, object: service });
    for (const key of this.services.keys())
      if (!latestServices.has(key)) changes.push({ kind: 'service', key, object: undefined });
    const latestSlices = new Map<string, EndpointSliceInfo>();
    for (const slice of endpointSlices) latestSlices.set(`${slice.namespace}/${slice.name}`, slice);
    for (const [key, slice] of latestSlices) {
      const owner = this.sliceOwner.get(key);
      if (owner === undefined || this.slicesByService.get(owner)?.get(key) !== slice)
        changes.push({ kind: 'endpointSlice', key, object: slice });
    }
    for (const key of this.sliceOwner.keys())
      if (!latestSlices.has(key)) changes.push({ kind: 'endpointSlice', key, object: undefined });
    return changes;
  }

  private putSlice(key: string, slice: EndpointSliceInfo): string {
    const owner = serviceKey({ namespace: slice.namespace, name: slice.serviceName });
    const slices = this.slicesByService.get(owner) ?? new Map<string, EndpointSliceInfo>();
    slices.set(key, slice);
    this.slicesByService.set(owner, slices);
    this.sliceOwner.set(key, owner);
    return owner;
  }

  private dropSlice(key: string): void {
    const owner = this.sliceOwner.get(key);
    if (owner === undefined) return;
    this.sliceOwner.delete(key);
    const slices = this.slicesByService.get(owner);
    slices?.delete(key);
    if (slices?.size === 0) this.slicesByService.delete(owner);
  }

  /** Judges one Service and adds what it contributes. */
  private judge(key: string): void {
    const service = this.services.get(key);
    if (service === undefined || service.type !== 'LoadBalancer') return;
    const judged = judgeService(service, this.slicesOf(key), this.announce);
    this.judged.set(key, judged);
    for (const route of judged.routes) this.routes.add(routeKey(route), key);
    this.index(key, judged, 'add');
  }

  private unjudge(key: string): void {
    const judged = this.judged.get(key);
    if (judged === undefined) return;
    this.judged.delete(key);
    for (const route of judged.routes) this.routes.delete(routeKey(route), key);
    this.index(key, judged, 'remove');
  }

  /** Keeps the two coverage indexes. */
  private index(key: string, judged: RememberedDecision, how: 'add' | 'remove'): void {
    const update = (table: Map<string, StringSetMap<string>>, bucket: string, prefix: string) => {
      const prefixes = table.get(bucket) ?? new StringSetMap<string>();
      table.set(bucket, prefixes);
      if (how === 'add') prefixes.add(prefix, key);
      else prefixes.delete(prefix, key);
    };
    for (const decision of judged.decisions) {
      const ip = parseIp(decision.ip);
      if (ip !== undefined)
        for (const length of this.lengths.get(ip.family) ?? [])
          update(this.ipsUnder, `${ip.family}/${length}`, prefixOf(ip, length).text);
      for (const route of decision.routes) {
        const [, length = ''] = route.prefix.split('/');
        const family = familyOfText(route.prefix);
        update(this.covering, `${family}/${length}`, route.prefix);
      }
    }
  }

  private servicesCovering(ip: ParsedIp): Set<string> {
    const services = new Set<string>();
    for (const [bucket, prefixes] of this.covering) {
      const [family, length = ''] = bucket.split('/');
      if (family !== ip.family) continue;
      for (const service of prefixes.members(prefixOf(ip, Number(length)).text)) services.add(service);
    }
    return services;
  }

  /** Re-merges one (prefix, peer); returns its prefix when what the prefix carries changed. */
  private refreshRoute(key: string): string | undefined {
    const routes: RouteArguments[] = [];
    for (const service of this.routes.members(key))
      for (const route of this.judged.get(service)?.routes ?? [])
        if (routeKey(route) === key) routes.push(route);
    const before = this.advertisement.get(key);
    if (routes.length === 0) {
      this.advertisement.delete(key);
      this.warning.delete(key);
      if (before === undefined) return undefined;
      this.byPrefix.get(before.prefix)?.delete(before.peer);
      if (this.byPrefix.get(before.prefix)?.size === 0) this.byPrefix.delete(before.prefix);
      return before.prefix;
    }
    const after = mergedAdvertisement(routes);
    const warning = localPrefWarning(routes);
    if (warning === undefined) this.warning.delete(key);
    else this.warning.set(key, warning);
    this.advertisement.set(key, after);
    const peers = this.byPrefix.get(after.prefix) ?? new Map<string, PeerAdvertisement>();
    peers.set(after.peer, after);
    this.byPrefix.set(after.prefix, peers);
    return before !== undefined && JSON.stringify(before) === JSON.stringify(after)
      ? undefined
      : after.prefix;
  }

  // ---- the FRR model ----

  /** Everything but the network lines from the advertisements, then every prefix classified. */
  private rebuildModel(): void {
    const scope = this.scope;
    if (scope === undefined) return;
    this.build = buildFrrModel({
      peers: this.peerList,
      bfdProfiles: scope.config.bfdProfiles,
      advertisements: sortByPrefixThenPeer([...this.advertisement.values()]),
      ...(scope.livenessPeers === undefined ? {} : { livenessPeers: scope.livenessPeers }),
      ...(scope.livenessShutdown === true ? { livenessShutdown: true } : {}),
      ...(scope.options?.logLevel === undefined ? {} : { logLevel: scope.options.logLevel }),
    });
    this.classTargets = new Map();
    const routerKeys = this.build.model.routers.map(
      (router) => new Set(router.neighbors.map((n) => (router.vrf === '' ? n.id : `${n.id}-${router.vrf}`))),
    );
    for (const announceClass of this.build.classes.values()) {
      const targets: { router: number; family: AddressFamily }[] = [];
      this.build.model.routers.forEach((router, index) => {
        if (!announceClass.neighbors.some((n) => routerKeys[index]?.has(n.neighborKey) === true)) return;
        for (const af of router.addressFamilies) targets.push({ router: index, family: af.family });
      });
      this.classTargets.set(announceClass.name, targets);
    }
    this.networks = this.build.model.routers.map(() => new Map());
    this.prefixClass.clear();
    this.descriptionCount.clear();
    this.descriptions.clear();
    this.structuralDirty = false;
    for (const prefix of this.byPrefix.keys()) this.classifyPrefix(prefix, false);
    this.emptiedClasses.clear();
    this.editLog = [];
    this.logFloor = this.currentVersion;
  }

  /** Gives a prefix its class and network lines again; a class appearing or vanishing is structural. */
  private classifyPrefix(prefix: string, log: boolean): void {
    const ads = [...(this.byPrefix.get(prefix)?.values() ?? [])].sort((a, b) => compareText(a.peer, b.peer));
    const mapping = ads.length === 0 ? undefined : prefixMapping(ads, this.build.neighborByPeer);
    const next =
      mapping === undefined
        ? undefined
        : {
            family: mapping.family,
            description: this.sharedDescription(mappingDescription(mapping.attributes)),
          };
    const previous = this.prefixClass.get(prefix);
    if (previous?.description === next?.description && previous?.family === next?.family) return;
    if (previous !== undefined) {
      const left = (this.descriptionCount.get(previous.description) ?? 0) - 1;
      // a class left without prefixes is structural, unless another prefix takes it in the same change
      if (left <= 0) {
        this.descriptionCount.delete(previous.description);
        this.descriptions.delete(previous.description);
        this.emptiedClasses.add(previous.description);
      } else this.descriptionCount.set(previous.description, left);
    }
    if (next === undefined) this.prefixClass.delete(prefix);
    else {
      this.prefixClass.set(prefix, next);
      this.descriptionCount.set(next.description, (this.descriptionCount.get(next.description) ?? 0) + 1);
      if (!this.build.classes.has(next.description)) this.structuralDirty = true;
    }
    if (this.structuralDirty) return;
    const lines = (classified: ClassifiedPrefix | undefined) => {
      const lineByBlock = new Map<string, { router: number; family: AddressFamily; routeMap: string }>();
      const announceClass: AnnounceClass | undefined =
        classified === undefined ? undefined : this.build.classes.get(classified.description);
      if (announceClass === undefined || classified === undefined) return lineByBlock;
      for (const target of this.classTargets.get(announceClass.name) ?? []) {
        if (target.family !== classified.family) continue;
        lineByBlock.set(`${target.router}|${target.family}`, { ...target, routeMap: announceClass.name });
      }
      return lineByBlock;
    };
    const before = lines(previous);
    const after = lines(next);
    for (const block of new Set([...before.keys(), ...after.keys()])) {
      const old = before.get(block);
      const now = after.get(block);
      const target = now ?? old;
      if (target === undefined || old?.routeMap === now?.routeMap) continue;
      const networks = this.networks[target.router] ?? new Map<AddressFamily, Map<string, string>>();
      const family = networks.get(target.family) ?? new Map<string, string>();
      networks.set(target.family, family);
      if (now === undefined) family.delete(prefix);
      else family.set(prefix, now.routeMap);
      this.networksTouched = true;
      if (!log) continue;
      const text = (routeMap: string | undefined) =>
        routeMap === undefined ? undefined : networkLineText({ prefix, routeMap });
      this.editLog.push({
        version: this.currentVersion,
        router: target.router,
        family: target.family,
        prefix,
        before: text(old?.routeMap),
        after: text(now?.routeMap),
      });
    }
    if (this.editLog.length > EDIT_LOG_LIMIT) {
      this.editLog = [];
      this.logFloor = this.currentVersion;
    }
  }

  private sharedDescription(description: string): string {
    const held = this.descriptions.get(description);
    if (held !== undefined) return held;
    this.descriptions.set(description, description);
    return description;
  }

  private familyPath(router: number, family: AddressFamily): [string, string] {
    const model = this.build.model.routers[router];
    return [
      routerBgpLineText({ asn: model?.asn ?? 0, vrf: model?.vrf === '' ? undefined : model?.vrf }),
      addressFamilyLineText({ family }),
    ];
  }

  /** A block's network lines in address order, sorted by texts kept per prefix (see prefixSortText). */
  private sortedNetworks(networks: ReadonlyMap<string, string> | undefined): NetworkModel[] {
    const entries: { key: string; network: NetworkModel }[] = [];
    for (const [prefix, routeMap] of networks ?? []) {
      let key = this.sortTexts.get(prefix);
      if (key === undefined) {
        key = prefixSortText(prefix);
        this.sortTexts.set(prefix, key);
      }
      entries.push({ key, network: { prefix, routeMap } });
    }
    return entries.sort((a, b) => compareText(a.key, b.key)).map(({ network }) => network);
  }

  private model(): FrrModel {
    const { model } = this.build;
    // prefixes gone since: forgotten all at once when they outnumber the ones in use
    if (this.sortTexts.size > 2 * this.byPrefix.size + 1_000) this.sortTexts.clear();
    return {
      ...model,
      routers: model.routers.map((router, index) => ({
        ...router,
        addressFamilies: router.addressFamilies.map((af) => ({
          ...af,
          networks: this.sortedNetworks(this.networks[index]?.get(af.family)),
        })),
      })),
    };
  }
}
