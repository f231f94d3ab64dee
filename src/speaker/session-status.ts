// FRR's view of this node's BGP sessions → BGPSessionState status (frrk8s.metallb.io), one per
// configured peer × VRF. Field-compatible with frr-k8s (node, peer, vrf, bgpStatus, bfdStatus) plus
// what users debug with: uptime, prefixes sent/received, the last error and the negotiated BFD timers.
import type { Peer } from '../config/types.js';
import type { BfdSession } from '../frr/parse/bfd-peers.js';
import type { BgpPeerState } from '../frr/parse/bgp-neighbors.js';

export interface BfdTimers {
  readonly receiveInterval: number;
  readonly transmitInterval: number;
  readonly detectMultiplier: number;
  readonly echoInterval?: number;
}

export interface SessionStatus {
  /** BGPPeer name (not part of the status: it names and labels the object) */
  readonly peerName: string;
  readonly node: string;
  /** the neighbor as FRR knows it: an address or an interface */
  readonly peer: string;
  /** '' = default VRF, as frr-k8s reports it */
  readonly vrf: string;
  /** Idle, Connect, Active, OpenSent, OpenConfirm, Established; Unknown when FRR does not report it */
  readonly bgpStatus: string;
  /** up, down, init, admin-down; N/A without BFD (frr-k8s' value) */
  readonly bfdStatus: string;
  /** Go duration since the session was established, '' when not Established */
  readonly uptime: string;
  readonly prefixesSent: number;
  readonly prefixesReceived: number;
  /** the last NOTIFICATION or reset reason, '' when none */
  readonly lastError: string;
  readonly bfdTimers: BfdTimers | undefined;
}

/** `3725` → `1h2m5s`, the form Kubernetes users read in durations. */
export function goDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${m}m` : ''}${s}s`;
}

const STATE_NAMES: Readonly<Record<string, string>> = { unknown: 'Unknown' };

function lastError(state: BgpPeerState): string {
  const notification = state.lastNotification?.reason;
  if (notification !== undefined && notification !== '') return notification;
  return state.lastResetDueTo ?? '';
}

function sum(values: readonly (number | undefined)[]): number {
  return values.reduce<number>((total, value) => total + (value ?? 0), 0);
}

function bfdTimersOf(session: BfdSession | undefined): BfdTimers | undefined {
  if (session?.negotiated === undefined) return undefined;
  const echo = session.configured.echoTransmitMs;
  return {
    receiveInterval: session.negotiated.receiveMs,
    transmitInterval: session.negotiated.transmitMs,
    detectMultiplier: session.remote.detectMultiplier ?? session.configured.detectMultiplier ?? 0,
    ...(echo !== undefined && echo > 0 ? { echoInterval: echo } : {}),
  };
}

function frrVrf(vrf: string): string {
  return vrf === '' ? 'default' : vrf;
}

interface SessionSubject {
  readonly peerName: string;
  /** the FRR neighbor key: address or interface */
  readonly key: string;
  readonly address: string | undefined;
  readonly interface: string | undefined;
  /** '' = default */
  readonly vrf: string;
  readonly bfdConfigured: boolean;
}

function sessionStatusOf(
  node: string,
  subject: SessionSubject,
  bgp: readonly BgpPeerState[],
  bfdSessions: readonly BfdSession[],
): SessionStatus {
  const state = bgp.find((s) => s.peer === subject.key && s.vrf === frrVrf(subject.vrf));
  const address = state?.address ?? subject.address;
  const bfd = bfdSessions.find(
    (s) =>
      s.vrf === frrVrf(subject.vrf) &&
      (s.peer === address || (subject.interface !== undefined && s.interface === subject.interface)),
  );
  const established = state?.state === 'Established';
  return {
    peerName: subject.peerName,
    node,
    peer: subject.key,
    vrf: subject.vrf,
    bgpStatus: state === undefined ? 'Unknown' : (STATE_NAMES[state.state] ?? state.state),
    bfdStatus: !subject.bfdConfigured ? 'N/A' : (bfd?.status ?? state?.bfd?.status ?? 'unknown'),
    uptime: established && state.uptimeSeconds !== undefined ? goDuration(state.uptimeSeconds) : '',
    prefixesSent: sum(Object.values(state?.prefixes ?? {}).map((p) => p.sent)),
    prefixesReceived: sum(Object.values(state?.prefixes ?? {}).map((p) => p.received)),
    lastError: state === undefined ? '' : lastError(state),
    bfdTimers: subject.bfdConfigured ? bfdTimersOf(bfd) : undefined,
  };
}

function byPeerName(a: SessionStatus, b: SessionStatus): number {
  return a.peerName < b.peerName ? -1 : a.peerName > b.peerName ? 1 : 0;
}

/** One status per configured peer of this node (identical sessions collapse into one). */
export function sessionStatuses(input: {
  readonly node: string;
  readonly peers: readonly Peer[];
  readonly bgp: readonly BgpPeerState[];
  readonly bfd: readonly BfdSession[];
}): SessionStatus[] {
  const seen = new Set<string>();
  const statuses: SessionStatus[] = [];
  for (const peer of input.peers) {
    const key = peer.address ?? peer.interface ?? '';
    const identity = `${peer.vrf}\u0000${key}`;
    if (seen.has(identity)) continue;
    seen.add(identity);
    const subject = {
      peerName: peer.name,
      key,
      address: peer.address,
      interface: peer.interface,
      vrf: peer.vrf,
      bfdConfigured: peer.bfdProfile !== undefined,
    };
    statuses.push(sessionStatusOf(input.node, subject, input.bgp, input.bfd));
  }
  return statuses.sort(byPeerName);
}

/** Every session FRR reports, without a configuration to name them (`ferry status`). */
export function sessionStatusesFromFrr(
  node: string,
  bgp: readonly BgpPeerState[],
  bfd: readonly BfdSession[],
): SessionStatus[] {
  return bgp
    .map((state) => {
      const vrf = state.vrf === 'default' ? '' : state.vrf;
      const subject = {
        peerName: vrf === '' ? state.peer : `${state.peer}-${vrf}`,
        key: state.peer,
        address: state.address,
        interface: state.interface,
        vrf,
        bfdConfigured: state.bfd !== undefined,
      };
      return sessionStatusOf(node, subject, bgp, bfd);
    })
    .sort(byPeerName);
}
