// Intended vs actual: each node's decision joined with what its speaker reports — the
// ServiceBGPStatus (the peers FRR really advertises the Service to), the BGPSessionState of every
// peer the Service should reach, the speaker's ConfigurationState, and for layer 2 the
// ServiceL2Status of the node that answers ARP/NDP. Every mismatch is one
// Disagreement, phrased as one line.
import type { Peer } from '../config/types.js';
import { age } from './controller-health.js';
import type { NodeSection } from './node-announcements.js';
import type { ClusterSnapshot, SessionState } from './snapshot.js';

export type DisagreementKind =
  /** the speaker left no trace at all (no ConfigurationState, no BGPSessionState) */
  | 'speakerMissing'
  /** the Service should be announced from this node but its ServiceBGPStatus is missing */
  | 'statusMissing'
  /** the session to a peer the Service should reach is not Established */
  | 'sessionDown'
  /** no BGPSessionState for a peer the Service should reach */
  | 'sessionUnknown'
  /** the session is up but FRR does not advertise the Service to this peer */
  | 'notAdvertised'
  /** FRR advertises the Service to a peer it should not reach from this node */
  | 'unexpectedlyAdvertised'
  /** the speaker rejects (part of) the configuration or FRR rejected its last apply */
  | 'speakerConfigurationInvalid'
  /** the Node is not Ready: what its speaker last wrote may be stale */
  | 'nodeNotReady'
  /** the elected layer 2 owner reports no ServiceL2Status for the Service */
  | 'l2StatusMissing'
  /** a node that is not the elected layer 2 owner reports that it answers for the Service */
  | 'l2UnexpectedOwner';

export interface Disagreement {
  readonly kind: DisagreementKind;
  readonly node: string;
  /** BGPPeer name, when about one peer */
  readonly peer: string | undefined;
  readonly message: string;
}

function sessionOf(
  snapshot: ClusterSnapshot,
  node: string,
  peer: Peer | undefined,
): SessionState | undefined {
  if (peer === undefined) return undefined;
  const key = peer.address ?? peer.interface ?? '';
  return snapshot.sessions.find((s) => s.node === node && s.peer === key && s.vrf === peer.vrf);
}

function sessionText(session: SessionState, now: Date): string {
  const since =
    session.changedAt === undefined
      ? ''
      : ` since ${age((now.getTime() - session.changedAt.getTime()) / 1000)}`;
  const error = session.lastError === '' ? '' : `, last error: ${session.lastError}`;
  const bfd = session.bfdStatus === 'N/A' || session.bfdStatus === 'up' ? '' : `, BFD ${session.bfdStatus}`;
  return `${session.bgpStatus}${since}${bfd}${error}`;
}

/** Speaker-side problems of a node, whatever the Service. */
function speakerProblems(snapshot: ClusterSnapshot, node: string): Disagreement[] {
  const notReady = snapshot.notReadyNodes.find((n) => n.node === node);
  const staleness: Disagreement[] =
    notReady === undefined
      ? []
      : [
          {
            kind: 'nodeNotReady',
            node,
            peer: undefined,
            message: `${node} is not Ready (${notReady.status}${notReady.since === undefined ? '' : ` since ${age((snapshot.now.getTime() - notReady.since.getTime()) / 1000)}`}${notReady.reason === '' ? '' : `: ${notReady.reason}`}): what its speaker last reported may be stale`,
          },
        ];
  return [...staleness, ...speakerReports(snapshot, node)];
}

function speakerReports(snapshot: ClusterSnapshot, node: string): Disagreement[] {
  const state = snapshot.configurationStates.find((s) => s.name === `speaker-${node}`);
  const sessions = snapshot.sessions.filter((s) => s.node === node);
  if (state === undefined && sessions.length === 0) {
    return [
      {
        kind: 'speakerMissing',
        node,
        peer: undefined,
        message: `${node}: its speaker reports nothing (no ConfigurationState speaker-${node}, no BGPSessionState): is ferry's speaker running there?`,
      },
    ];
  }
  if (state === undefined) return [];
  const problems: Disagreement[] = [];
  if (state.result !== '' && state.result !== 'Valid') {
    problems.push({
      kind: 'speakerConfigurationInvalid',
      node,
      peer: undefined,
      message: `${node}: its speaker rejects the configuration and keeps the last valid one (ConfigurationState speaker-${node}: ${state.errorSummary})`,
    });
  }
  const applied = state.conditions.find((c) => c.type === 'frrApplied');
  if (applied !== undefined && applied.status === 'False') {
    problems.push({
      kind: 'speakerConfigurationInvalid',
      node,
      peer: undefined,
      message: `${node}: FRR rejected the speaker's last apply: ${applied.message}`,
    });
  }
  return problems;
}

export function disagreementsFor(
  snapshot: ClusterSnapshot,
  service: { readonly namespace: string; readonly name: string },
  sections: readonly NodeSection[],
): Disagreement[] {
  const subject = `${service.namespace}/${service.name}`;
  const found: Disagreement[] = [];
  for (const section of sections) {
    const { node } = section;
    const intended = new Set(section.bgp.routes.map((route) => route.peer));
    const status = snapshot.serviceStatuses.find(
      (s) => s.node === node && s.namespace === service.namespace && s.name === service.name,
    );
    const actual = new Set(status?.peers ?? []);
    const speaker = speakerProblems(snapshot, node);
    const relevant = intended.size > 0 || actual.size > 0;
    if (relevant) found.push(...speaker);
    if (speaker.some((d) => d.kind === 'speakerMissing')) continue;
    const peerByName = new Map(section.bgp.peers.map((peer) => [peer.name, peer]));
    let statusMissingReported = false;
    for (const peerName of [...intended].sort()) {
      const session = sessionOf(snapshot, node, peerByName.get(peerName));
      if (session === undefined) {
        found.push({
          kind: 'sessionUnknown',
          node,
          peer: peerName,
          message: `${node} should announce ${subject} to ${peerName}, but there is no BGPSessionState for that session`,
        });
      } else if (session.bgpStatus !== 'Established') {
        found.push({
          kind: 'sessionDown',
          node,
          peer: peerName,
          message: `announced by ${node} to ${peerName} — but the session to ${peerName} is ${sessionText(session, snapshot.now)}`,
        });
        continue;
      }
      if (actual.has(peerName)) continue;
      if (status === undefined) {
        if (!statusMissingReported) {
          found.push({
            kind: 'statusMissing',
            node,
            peer: undefined,
            message: `${node} should announce ${subject} but its ServiceBGPStatus is missing (speaker not Ready?)`,
          });
          statusMissingReported = true;
        }
        continue;
      }
      found.push({
        kind: 'notAdvertised',
        node,
        peer: peerName,
        message: `${node} should announce ${subject} to ${peerName}, but FRR does not advertise it there (ServiceBGPStatus lists ${[...actual].sort().join(', ') || 'no peer'})`,
      });
    }
    for (const peerName of [...actual].sort()) {
      if (intended.has(peerName)) continue;
      const decision = section.bgp.decisions.find((d) => !d.announced);
      const why =
        decision === undefined
          ? 'no route to that peer is intended'
          : `${decision.reason}: ${decision.detail}`;
      found.push({
        kind: 'unexpectedlyAdvertised',
        node,
        peer: peerName,
        message: `${node} still advertises ${subject} to ${peerName}, but should not (${why})`,
      });
    }
    found.push(...layer2Disagreements(snapshot, subject, section));
  }
  return found;
}

function layer2Disagreements(
  snapshot: ClusterSnapshot,
  subject: string,
  section: NodeSection,
): Disagreement[] {
  const { node, l2 } = section;
  const reported = snapshot.l2Statuses.some((s) => s.node === node && `${s.namespace}/${s.name}` === subject);
  if (l2?.owner === node && !reported) {
    return [
      {
        kind: 'l2StatusMissing',
        node,
        peer: undefined,
        message: `${node} should answer ARP/NDP for ${subject} (the elected owner) but its ServiceL2Status is missing (speaker not Ready?)`,
      },
    ];
  }
  if (l2?.owner !== node && reported) {
    const elected = l2?.owner === undefined ? 'no node is eligible' : `the elected owner is ${l2.owner}`;
    return [
      {
        kind: 'l2UnexpectedOwner',
        node,
        peer: undefined,
        message: `${node} reports it answers ARP/NDP for ${subject}, but ${elected} (a failover in progress, or a speaker that sees another cluster state)`,
      },
    ];
  }
  return [];
}
