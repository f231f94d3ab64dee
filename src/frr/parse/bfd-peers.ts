// `show bfd [vrf NAME] peers json` → one record per BFD session. (`show bfd vrf all peers json` prints
// an empty array in FRR 8.4.4 although sessions exist, so callers ask per VRF.) bfdd prints kebab-case
// keys, intervals in milliseconds and up/down times in seconds.
import { parseBfdStatus, type BgpPeerBfdStatus } from './bgp-neighbors.js';
import { asArray, asObject, booleanField, numberField, stringField, type JsonObject } from './json-fields.js';

export type BfdSessionStatus = BgpPeerBfdStatus;

export interface BfdIntervals {
  readonly receiveMs: number | undefined;
  readonly transmitMs: number | undefined;
  readonly echoReceiveMs: number | undefined;
  readonly echoTransmitMs: number | undefined;
  readonly detectMultiplier: number | undefined;
}

/** What the two ends agreed on (RFC 5880 §6.8.2–6.8.4); known only while the session is up. */
export interface BfdNegotiated {
  /** how often this end sends: max(local transmit, remote receive) */
  readonly transmitMs: number;
  /** how often the peer sends: max(local receive, remote transmit) */
  readonly receiveMs: number;
  /** silence after which this end declares the session down: remote multiplier × receiveMs */
  readonly detectionTimeMs: number;
}

/** Fields that identify one BFD session in both `peers` and `peers counters` output. */
export interface BfdSessionKey {
  readonly peer: string;
  /** absent while the session never came up (`0.0.0.0` in the brief form) */
  readonly local: string | undefined;
  readonly vrf: string;
  readonly interface: string | undefined;
  readonly multihop: boolean;
}

export interface BfdSession extends BfdSessionKey {
  readonly id: number | undefined;
  readonly remoteId: number | undefined;
  readonly status: BfdSessionStatus;
  readonly diagnostic: string | undefined;
  readonly remoteDiagnostic: string | undefined;
  readonly uptimeSeconds: number | undefined;
  readonly downtimeSeconds: number | undefined;
  readonly passive: boolean | undefined;
  /** this end's configured timers */
  readonly configured: BfdIntervals;
  /** the timers the peer last advertised */
  readonly remote: BfdIntervals;
  readonly negotiated: BfdNegotiated | undefined;
}

export function parseBfdSessionKey(session: JsonObject): BfdSessionKey | undefined {
  const peer = stringField(session, 'peer');
  if (peer === undefined) return undefined;
  return {
    peer,
    local: stringField(session, 'local'),
    vrf: stringField(session, 'vrf') ?? 'default',
    interface: stringField(session, 'interface'),
    multihop: booleanField(session, 'multihop') ?? false,
  };
}

/** A stable string for joining sessions with their counters. */
export function bfdSessionId(key: BfdSessionKey): string {
  return [
    key.vrf,
    key.multihop ? 'multihop' : 'singlehop',
    key.peer,
    key.local ?? '',
    key.interface ?? '',
  ].join('\u0000');
}

function intervals(session: JsonObject, prefix: '' | 'remote-'): BfdIntervals {
  return {
    receiveMs: numberField(session, `${prefix}receive-interval`),
    transmitMs: numberField(session, `${prefix}transmit-interval`),
    echoReceiveMs: numberField(session, `${prefix}echo-receive-interval`),
    echoTransmitMs: numberField(session, `${prefix}echo-transmit-interval`),
    detectMultiplier: numberField(session, `${prefix}detect-multiplier`),
  };
}

function negotiated(local: BfdIntervals, remote: BfdIntervals): BfdNegotiated | undefined {
  if (
    local.transmitMs === undefined ||
    local.receiveMs === undefined ||
    remote.transmitMs === undefined ||
    remote.receiveMs === undefined ||
    remote.detectMultiplier === undefined
  ) {
    return undefined;
  }
  const receiveMs = Math.max(local.receiveMs, remote.transmitMs);
  return {
    transmitMs: Math.max(local.transmitMs, remote.receiveMs),
    receiveMs,
    detectionTimeMs: remote.detectMultiplier * receiveMs,
  };
}

function bfdSession(session: JsonObject): BfdSession | undefined {
  const key = parseBfdSessionKey(session);
  if (key === undefined) return undefined;
  const status = parseBfdStatus(stringField(session, 'status'));
  const configured = intervals(session, '');
  const remote = intervals(session, 'remote-');
  return {
    ...key,
    id: numberField(session, 'id'),
    remoteId: numberField(session, 'remote-id'),
    status,
    diagnostic: stringField(session, 'diagnostic'),
    remoteDiagnostic: stringField(session, 'remote-diagnostic'),
    uptimeSeconds: numberField(session, 'uptime'),
    downtimeSeconds: numberField(session, 'downtime'),
    passive: booleanField(session, 'passive-mode'),
    configured,
    remote,
    negotiated: status === 'up' ? negotiated(configured, remote) : undefined,
  };
}

/** `show bfd [vrf NAME] peers json`: an array of sessions; entries without a `peer` are skipped. */
export function parseBfdPeers(document: unknown): BfdSession[] {
  return asArray(document).flatMap((entry) => {
    const session = asObject(entry);
    const parsed = session === undefined ? undefined : bfdSession(session);
    return parsed === undefined ? [] : [parsed];
  });
}
