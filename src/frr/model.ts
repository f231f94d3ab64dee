// The FRR model: plain data that says exactly what frr.conf contains, nothing about how it is
// printed. `frrModelForNode` makes every decision (names, order, which lines exist); the templates in
// `templates/` only iterate and print. See docs/decisions/0001-frr-config-shape.md for the shape.

export type AddressFamily = 'ipv4' | 'ipv6';

export interface NeighborTimers {
  readonly keepalive: number;
  readonly hold: number;
}

export interface NeighborModel {
  /** what follows `neighbor`: an address or an interface name */
  readonly id: string;
  /** `neighbor eth0 interface remote-as …` (unnumbered) */
  readonly unnumbered: boolean;
  /** a number, `internal` or `external` */
  readonly remoteAs: string;
  readonly ebgpMultihop: boolean;
  readonly localAs: number | undefined;
  readonly port: number | undefined;
  readonly timers: NeighborTimers | undefined;
  readonly connectTime: number | undefined;
  readonly password: string | undefined;
  readonly updateSource: string | undefined;
  readonly gracefulRestart: boolean;
  readonly bfdProfile: string | undefined;
  /** plain `neighbor X bfd` without a profile never happens: MetalLB's BFD is always per profile */
  readonly disableConnectedCheck: boolean;
  readonly routeMapIn: string;
  readonly routeMapOut: string;
}

export interface NetworkModel {
  readonly prefix: string;
  /** origination route map that tags the prefix with its announce class */
  readonly routeMap: string;
}

export interface AddressFamilyModel {
  readonly family: AddressFamily;
  /** neighbors activated in this family, in neighbor order */
  readonly neighbors: readonly NeighborModel[];
  /** sorted by prefix (numerically) */
  readonly networks: readonly NetworkModel[];
}

export interface RouterModel {
  readonly asn: number;
  /** '' = default VRF */
  readonly vrf: string;
  readonly routerId: string | undefined;
  readonly neighbors: readonly NeighborModel[];
  /** ipv4 then ipv6; a family is present only when a neighbor is activated in it */
  readonly addressFamilies: readonly AddressFamilyModel[];
}

export interface LargeCommunityListModel {
  readonly name: string;
  readonly value: string;
}

export interface RouteMapEntryModel {
  readonly action: 'permit' | 'deny';
  readonly sequence: number;
  readonly matchLargeCommunity: string | undefined;
  /** `set community …` value (space separated) or undefined */
  readonly setCommunity: string | undefined;
  /** `set large-community … [additive]` value */
  readonly setLargeCommunity: string | undefined;
  readonly setLargeCommunityAdditive: boolean;
  /** `set large-comm-list NAME delete` */
  readonly deleteLargeCommunityList: string | undefined;
  readonly setLocalPreference: number | undefined;
}

export interface RouteMapModel {
  readonly name: string;
  readonly entries: readonly RouteMapEntryModel[];
}

export interface BfdProfileModel {
  readonly name: string;
  readonly detectMultiplier: number | undefined;
  readonly receiveInterval: number | undefined;
  readonly transmitInterval: number | undefined;
  readonly echoMode: boolean;
  readonly echoInterval: number | undefined;
  readonly passiveMode: boolean;
  readonly minimumTtl: number | undefined;
}

export interface FrrModel {
  readonly logLevel: string;
  readonly largeCommunityLists: readonly LargeCommunityListModel[];
  /** class route maps first (sorted by name), then per-neighbor in/out route maps in neighbor order */
  readonly routeMaps: readonly RouteMapModel[];
  readonly routers: readonly RouterModel[];
  readonly bfdProfiles: readonly BfdProfileModel[];
  /** single-hop BFD sessions to the other nodes: layer 2 mode's liveness source; sorted */
  readonly livenessPeers: readonly LivenessPeerModel[];
  /** whether the `bfd` block is printed */
  readonly bfdBlock: boolean;
}

export interface LivenessPeerModel {
  /** canonical IP */
  readonly address: string;
  readonly receiveInterval: number;
  readonly transmitInterval: number;
  readonly detectMultiplier: number;
  /** administratively down (`shutdown`): the speaker is handing its layer 2 IPs over */
  readonly shutdown: boolean;
}
