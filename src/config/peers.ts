// BGPPeer (v1beta1 or v1beta2) → Peer: ASNs, address or interface, timers, selectors, password (inline
// or from a basic-auth Secret), BFD profile reference; then the FRR-mode rules between peers that can
// run on the same node.
import type { NodeInfo, SecretInfo } from '../api/cluster.js';
import type { BGPPeerResource } from '../api/metallb.js';
import { parseIp } from '../net/ip.js';
import { parseGoDuration, wholeSeconds } from './duration.js';
import type { Issues } from './issues.js';
import { deviceNameProblem, objectNameProblem, passwordProblem } from './names.js';
import {
  anySelectorMatches,
  parseLabelSelector,
  parseLegacyNodeSelector,
  parseSelectorList,
} from './selector.js';
import type { LabelSelector, Peer } from './types.js';
import type { ObjectRef } from '../util/object-ref.js';
import type { FieldProblem } from '../util/field-problem.js';

const MAX_ASN = 4294967295;
/** FRR's `timers` and `timers connect` take 0..65535 seconds. */
const MAX_TIMER_SECONDS = 65535;
const DEFAULT_PORT = 179;

export interface PeerContext {
  readonly namespace: string;
  readonly secrets: readonly SecretInfo[];
  readonly bfdProfiles: ReadonlySet<string>;
  readonly issues: Issues;
}

export interface BuiltPeer {
  readonly peer: Peer;
  readonly ref: ObjectRef;
}

function asn(
  value: number | undefined,
  field: string,
  min: number,
  problems: FieldProblem[],
): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min || value > MAX_ASN) {
    problems.push({ field, message: `must be an AS number ${min}-${MAX_ASN}, got ${value}` });
    return undefined;
  }
  return value;
}

function duration(text: string | undefined, field: string, problems: FieldProblem[]): bigint | undefined {
  if (text === undefined) return undefined;
  const nanoseconds = parseGoDuration(text);
  if (nanoseconds === undefined) {
    problems.push({
      field,
      message: `${JSON.stringify(text)} is not a duration: write e.g. 90s, 1m30s or 500ms`,
    });
    return undefined;
  }
  if (nanoseconds < 0n) {
    problems.push({ field, message: `must not be negative, got ${text}` });
    return undefined;
  }
  return nanoseconds;
}

/** Hold/keepalive defaulting and checks of MetalLB's parseTimers, in whole seconds. */
function timers(
  spec: BGPPeerResource['spec'],
  problems: FieldProblem[],
): { holdTime: number | undefined; keepaliveTime: number | undefined } {
  const hold = duration(spec.holdTime, 'spec.holdTime', problems);
  const keepalive = duration(spec.keepaliveTime, 'spec.keepaliveTime', problems);
  if (spec.holdTime !== undefined && hold === undefined)
    return { holdTime: undefined, keepaliveTime: undefined };
  if (spec.keepaliveTime !== undefined && keepalive === undefined)
    return { holdTime: undefined, keepaliveTime: undefined };
  if (hold === undefined && keepalive === undefined) return { holdTime: undefined, keepaliveTime: undefined };
  const holdNs = hold ?? (keepalive ?? 0n) * 3n;
  const keepaliveNs = keepalive ?? holdNs / 3n;
  const holdTime = wholeSeconds(holdNs);
  const keepaliveTime = wholeSeconds(keepaliveNs);
  const holdField = spec.holdTime !== undefined ? 'spec.holdTime' : 'spec.keepaliveTime';
  if (holdTime !== 0 && holdTime < 3) {
    problems.push({ field: holdField, message: `invalid hold time ${holdTime}s: must be 0 or >=3s` });
  } else if (holdTime > MAX_TIMER_SECONDS) {
    problems.push({
      field: holdField,
      message: `invalid hold time ${holdTime}s: must be at most ${MAX_TIMER_SECONDS}s`,
    });
  }
  if (keepaliveNs > holdNs) {
    problems.push({
      field: 'spec.keepaliveTime',
      message: `invalid keepaliveTime ${spec.keepaliveTime ?? ''}, must be lower than holdTime ${spec.holdTime ?? ''}`,
    });
  }
  return { holdTime, keepaliveTime };
}

function connectTime(text: string | undefined, problems: FieldProblem[]): number | undefined {
  const nanoseconds = duration(text, 'spec.connectTime', problems);
  if (nanoseconds === undefined) return undefined;
  // The CRD's CEL rules: 1..65535 s, whole seconds.
  if (nanoseconds % 1_000_000_000n !== 0n) {
    problems.push({
      field: 'spec.connectTime',
      message: 'connect time should contain a whole number of seconds',
    });
  }
  const seconds = wholeSeconds(nanoseconds);
  if (seconds < 1 || seconds > MAX_TIMER_SECONDS) {
    problems.push({
      field: 'spec.connectTime',
      message: 'connect time should be between 1 seconds to 65535',
    });
  }
  return seconds;
}

function ipField(
  text: string | undefined,
  field: string,
  what: string,
  problems: FieldProblem[],
): string | undefined {
  if (text === undefined || text === '') return undefined;
  const ip = parseIp(text);
  if (ip === undefined) {
    problems.push({
      field,
      message: `invalid ${what} ${JSON.stringify(text)}: must be an IPv4 or IPv6 address`,
    });
    return undefined;
  }
  return ip.text;
}

const MISSING_SECRET = Symbol('missing secret');

/** MISSING_SECRET when the Secret is not there: a fatal error is already recorded. */
function password(
  resource: BGPPeerResource,
  context: PeerContext,
  ref: ObjectRef,
  problems: FieldProblem[],
): string | undefined | typeof MISSING_SECRET {
  const spec = resource.spec;
  const inline = spec.password === '' ? undefined : spec.password;
  const secretName = spec.passwordSecret?.name ?? '';
  if (inline !== undefined && secretName !== '') {
    problems.push({
      field: 'spec.password',
      message: 'can not have both password and passwordSecret set; remove one',
    });
    return undefined;
  }
  if (inline !== undefined) {
    const problem = passwordProblem(inline);
    if (problem !== undefined) problems.push({ field: 'spec.password', message: problem });
    return inline;
  }
  if (secretName === '') return undefined;
  const secretNamespace = spec.passwordSecret?.namespace || context.namespace;
  if (secretNamespace !== context.namespace) {
    problems.push({
      field: 'spec.passwordSecret.namespace',
      message: `the Secret must be in namespace ${context.namespace}, not ${secretNamespace}`,
    });
    return undefined;
  }
  const secret = context.secrets.find(
    (candidate) => candidate.namespace === secretNamespace && candidate.name === secretName,
  );
  if (secret === undefined) {
    // A reference to something not (yet) there: keep the last good configuration (MetalLB: transient error).
    context.issues.error(
      ref,
      'spec.passwordSecret.name',
      `secret ${secretNamespace}/${secretName} not found`,
      { fatal: true },
    );
    return MISSING_SECRET;
  }
  if (secret.type !== 'kubernetes.io/basic-auth') {
    problems.push({
      field: 'spec.passwordSecret.name',
      message: `secret ${secretNamespace}/${secretName} has type ${JSON.stringify(secret.type)}; type kubernetes.io/basic-auth is expected`,
    });
    return undefined;
  }
  const value = secret.data['password'];
  if (value === undefined) {
    problems.push({
      field: 'spec.passwordSecret.name',
      message: `password not specified in the secret ${secretNamespace}/${secretName}`,
    });
    return undefined;
  }
  const problem = passwordProblem(value);
  // Never echo the password itself.
  if (problem !== undefined)
    problems.push({
      field: 'spec.passwordSecret.name',
      message: `the password in secret ${secretNamespace}/${secretName} ${problem}`,
    });
  return value;
}

export function buildPeer(
  resource: BGPPeerResource,
  ref: ObjectRef,
  context: PeerContext,
): BuiltPeer | undefined {
  const { issues } = context;
  const spec = resource.spec;
  const problems: FieldProblem[] = [];
  const legacy = resource.apiVersion === 'metallb.io/v1beta1';
  if (legacy)
    issues.warning(ref, 'apiVersion', 'metallb.io/v1beta1 BGPPeer is deprecated, please use v1beta2');
  if (spec.disableMP === true) {
    issues.warning(
      ref,
      'spec.disableMP',
      "disable mp is deprecated and has no effect since it's the default behavior now",
    );
  }
  const nameProblem = objectNameProblem(resource.metadata.name);
  if (nameProblem !== undefined) problems.push({ field: 'metadata.name', message: nameProblem });

  const myASN = asn(spec.myASN, 'spec.myASN', 0, problems);
  if (myASN === 0) problems.push({ field: 'spec.myASN', message: 'missing local ASN' });
  // peerASN 0 means unset, as in MetalLB.
  const hasPeerASN = spec.peerASN !== undefined && spec.peerASN !== 0;
  const peerASN = hasPeerASN ? asn(spec.peerASN, 'spec.peerASN', 1, problems) : undefined;
  const localASN = asn(spec.localASN, 'spec.localASN', 1, problems);
  const dynamicASN = spec.dynamicASN;
  if (dynamicASN !== undefined && dynamicASN !== 'internal' && dynamicASN !== 'external') {
    problems.push({
      field: 'spec.dynamicASN',
      message: `invalid dynamicASN ${JSON.stringify(dynamicASN)}: use internal or external`,
    });
  }
  if (!hasPeerASN && dynamicASN === undefined) {
    problems.push({ field: 'spec.peerASN', message: 'missing peer ASN and dynamicASN: set one of them' });
  }
  if (hasPeerASN && dynamicASN !== undefined) {
    problems.push({
      field: 'spec.dynamicASN',
      message: 'both peer ASN and dynamicASN specified: set only one',
    });
  }
  // An iBGP session (same AS, or dynamicASN internal) cannot be multihop eBGP; FRR refuses it too.
  const internal = (peerASN !== undefined && peerASN === myASN) || dynamicASN === 'internal';
  if (spec.ebgpMultiHop === true && internal) {
    problems.push({
      field: 'spec.ebgpMultiHop',
      message: 'invalid ebgp-multihop parameter set for an ibgp peer',
    });
  }

  const address = ipField(spec.peerAddress, 'spec.peerAddress', 'BGPPeer address', problems);
  const iface = spec.interface === '' ? undefined : spec.interface;
  if ((spec.peerAddress ?? '') === '' && iface === undefined) {
    problems.push({ field: 'spec.peerAddress', message: 'peer has no Address or Interface specified' });
  }
  if ((spec.peerAddress ?? '') !== '' && iface !== undefined) {
    problems.push({
      field: 'spec.interface',
      message: 'peer has both Address and Interface specified: set only one',
    });
  }
  if (iface !== undefined) {
    const problem = deviceNameProblem(iface, 'interface');
    if (problem !== undefined) problems.push({ field: 'spec.interface', message: problem });
  }
  const sourceAddress = ipField(spec.sourceAddress, 'spec.sourceAddress', 'source IP', problems);
  const routerID = ipField(spec.routerID, 'spec.routerID', 'router ID', problems);
  // FRR's `bgp router-id` is an IPv4 address (MetalLB accepts any IP and FRR then fails).
  if (routerID !== undefined && routerID.includes(':')) {
    problems.push({
      field: 'spec.routerID',
      message: `invalid router ID ${routerID}: must be an IPv4 address`,
    });
  }

  let port = spec.peerPort ?? DEFAULT_PORT;
  // v1beta1 had no default and allowed 0; MetalLB's v1beta2 default applies.
  if (legacy && port === 0) port = DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 16384) {
    problems.push({ field: 'spec.peerPort', message: `must be a port number 1-16384, got ${port}` });
  }

  const { holdTime, keepaliveTime } = timers(spec, problems);
  const connect = connectTime(spec.connectTime, problems);

  const vrf = spec.vrf ?? '';
  if (vrf !== '') {
    const problem = deviceNameProblem(vrf, 'VRF');
    if (problem !== undefined) problems.push({ field: 'spec.vrf', message: problem });
  }

  const selectors = parseSelectorList(
    spec.nodeSelectors,
    'spec.nodeSelectors',
    legacy ? parseLegacyNodeSelector : parseLabelSelector,
  );
  problems.push(...selectors.problems);

  const secretPassword = password(resource, context, ref, problems);

  const bfdProfile = spec.bfdProfile === '' ? undefined : spec.bfdProfile;
  const bfdMissing = bfdProfile !== undefined && !context.bfdProfiles.has(bfdProfile);
  if (bfdMissing) {
    // Missing reference: MetalLB treats it as transient and keeps the last good configuration.
    issues.error(
      ref,
      'spec.bfdProfile',
      `peer ${resource.metadata.name} referencing non existing bfd profile ${JSON.stringify(bfdProfile)}`,
      {
        fatal: true,
      },
    );
  }

  issues.problems(ref, problems);
  if (problems.length > 0 || bfdMissing || secretPassword === MISSING_SECRET) return undefined;
  return {
    ref,
    peer: {
      name: resource.metadata.name,
      myASN: myASN ?? 0,
      peerASN,
      dynamicASN,
      localASN,
      address,
      interface: iface,
      sourceAddress,
      port,
      holdTime,
      keepaliveTime,
      connectTime: connect,
      routerID,
      nodeSelectors: selectors.selectors,
      password: secretPassword,
      bfdProfile,
      enableGracefulRestart: spec.enableGracefulRestart ?? false,
      ebgpMultiHop: spec.ebgpMultiHop ?? false,
      vrf,
      dualStackAddressFamily: spec.dualStackAddressFamily ?? false,
    },
  };
}

function peerIdentifier(peer: Peer): string {
  const id = peer.address ?? peer.interface ?? '';
  return peer.vrf === '' ? id : `${id}-${peer.vrf}`;
}

function nodesOf(selectors: readonly LabelSelector[], nodes: readonly NodeInfo[]): Set<string> {
  return new Set(nodes.filter((node) => anySelectorMatches(selectors, node.labels)).map((node) => node.name));
}

/**
 * FRR mode runs one bgpd per node: peers that can land on the same node must agree on the router ID
 * and, per VRF, on myASN, and must not be the same neighbor twice. Without known nodes every pair is
 * assumed to share one (as MetalLB does). Violations are fatal.
 */
export function checkPeersOnSameNode(
  peers: readonly BuiltPeer[],
  nodes: readonly NodeInfo[],
  issues: Issues,
): void {
  const nodeSets = peers.map((built) => nodesOf(built.peer.nodeSelectors, nodes));
  peers.forEach((current, index) => {
    for (let otherIndex = 0; otherIndex < index; otherIndex += 1) {
      const other = peers[otherIndex];
      const currentNodes = nodeSets[index];
      const otherNodes = nodeSets[otherIndex];
      if (other === undefined || currentNodes === undefined || otherNodes === undefined) continue;
      const shared = nodes.length === 0 || [...currentNodes].some((node) => otherNodes.has(node));
      if (!shared) continue;
      const p = current.peer;
      const q = other.peer;
      if ((p.routerID ?? '') !== (q.routerID ?? '')) {
        issues.error(
          current.ref,
          'spec.routerID',
          `routerID ${p.routerID ?? '(unset)'} differs from ${q.routerID ?? '(unset)'} of BGPPeer ${q.name}; in FRR mode peers selecting the same node must all have the same routerID`,
          { fatal: true },
        );
      }
      if (peerIdentifier(p) === peerIdentifier(q)) {
        issues.error(
          current.ref,
          p.address !== undefined ? 'spec.peerAddress' : 'spec.interface',
          `peer ${peerIdentifier(p)} already exists as BGPPeer ${q.name}; FRR mode doesn't support duplicate BGPPeers selecting the same node`,
          { fatal: true },
        );
      }
      if (p.myASN !== q.myASN && p.vrf === q.vrf) {
        issues.error(
          current.ref,
          'spec.myASN',
          `myASN ${p.myASN} differs from ${q.myASN} of BGPPeer ${q.name}; in FRR mode peers selecting the same node must have the same myASN within the same VRF`,
          { fatal: true },
        );
      }
    }
  });
}
