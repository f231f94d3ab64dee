// The BGP finite-state-machine state as FRR prints it (`bgpState` in neighbors JSON, `state` in summary
// JSON, where admin and prefix-limit shutdowns are suffixed: `Idle (Admin)`, `Idle (PfxCt)`).
import { parseIp } from '../../net/ip.js';

export const BGP_STATES = [
  'Idle',
  'Connect',
  'Active',
  'OpenSent',
  'OpenConfirm',
  'Established',
  'Clearing',
  'Deleted',
] as const;

export type BgpState = (typeof BGP_STATES)[number] | 'unknown';

export function parseBgpState(text: string | undefined): BgpState {
  const word = text?.split(' ')[0];
  return BGP_STATES.find((state) => state === word) ?? 'unknown';
}

/** Counters FRR keeps per address family (`ipv4Unicast`, `ipv6Unicast`, ...). */
export interface PrefixCounters {
  readonly sent: number | undefined;
  readonly received: number | undefined;
}

/**
 * How a peer is identified: FRR keys neighbors by address, or by interface name for unnumbered
 * (`neighbor eth0 interface`) peers, whose learned address is reported separately.
 */
export interface PeerIdentity {
  /** the key FRR uses: an address or an interface name */
  readonly peer: string;
  readonly address: string | undefined;
  readonly interface: string | undefined;
}

export function peerIdentity(key: string, learnedAddress: string | undefined): PeerIdentity {
  if (parseIp(key) !== undefined) return { peer: key, address: key, interface: undefined };
  const address =
    learnedAddress !== undefined && parseIp(learnedAddress) !== undefined ? learnedAddress : undefined;
  return { peer: key, address, interface: key };
}

/** What both `show bgp neighbors json` and `show bgp summary json` tell about a session. */
export interface BgpSessionBasics extends PeerIdentity {
  readonly vrf: string;
  readonly hostname: string | undefined;
  readonly remoteAs: number | undefined;
  readonly localAs: number | undefined;
  readonly state: BgpState;
  readonly adminShutdown: boolean;
  /** set only while Established */
  readonly uptimeSeconds: number | undefined;
  readonly establishedEpoch: number | undefined;
  readonly connectionsEstablished: number | undefined;
  readonly connectionsDropped: number | undefined;
  /** keyed by FRR's address-family name: `ipv4Unicast`, `ipv6Unicast` */
  readonly prefixes: Readonly<Record<string, PrefixCounters>>;
}
