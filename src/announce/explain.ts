// `ferry explain`: the decisions as lines a person reads — per Service IP whether this node
// announces it and why not, and per peer which prefix it gets with which attributes.
import { parseIp } from '../net/ip.js';
import type { AnnounceResult, PeerAdvertisement, ServiceDecision } from './types.js';
import { communityText } from '../config/community.js';

export interface ExplainFilter {
  readonly namespace?: string;
  readonly name?: string;
  /** any spelling of the address */
  readonly ip?: string;
  /** BGPPeer name: show only what this peer gets */
  readonly peer?: string;
}

/** One block per Service IP; every line ends with a newline. */
export function explainText(result: AnnounceResult, filter: ExplainFilter = {}): string {
  const wantedIp = filter.ip === undefined ? undefined : (parseIp(filter.ip)?.text ?? filter.ip);
  const attributes = new Map(result.advertisements.map((ad) => [`${ad.prefix} ${ad.peer}`, ad]));
  const lines: string[] = [];
  for (const decision of result.decisions) {
    if (filter.namespace !== undefined && decision.namespace !== filter.namespace) continue;
    if (filter.name !== undefined && decision.name !== filter.name) continue;
    if (wantedIp !== undefined && decision.ip !== wantedIp) continue;
    lines.push(...decisionLines(decision, attributes, filter.peer));
  }
  if (lines.length === 0) return 'No LoadBalancer Service IP matches.\n';
  return lines.map((line) => `${line}\n`).join('');
}

function decisionLines(
  decision: ServiceDecision,
  attributes: ReadonlyMap<string, PeerAdvertisement>,
  peer: string | undefined,
): string[] {
  const subject = `${decision.namespace}/${decision.name} ${decision.ip === '' ? '(no IP)' : decision.ip}`;
  const verdict = decision.announced ? 'announced' : `not announced (${decision.reason})`;
  const lines = [`${subject}: ${verdict}. ${decision.detail}`];
  for (const route of decision.routes) {
    if (peer !== undefined && route.peer !== peer) continue;
    const sent = attributes.get(`${route.prefix} ${route.peer}`);
    lines.push(
      `  to ${route.peer}: ${route.prefix}${sent === undefined ? '' : describeAttributes(sent)} (BGPAdvertisement ${route.advertisements.join(', ')})`,
    );
  }
  for (const left of decision.withheld) {
    if (peer !== undefined && left.peer !== peer) continue;
    lines.push(`  not to ${left.peer}: ${left.prefix}: ${left.why}`);
  }
  return lines;
}

function describeAttributes(advertisement: PeerAdvertisement): string {
  const communities =
    advertisement.communities.length === 0
      ? ''
      : ` communities ${advertisement.communities.map(communityText).join(' ')}`;
  const localPref = advertisement.localPref === 0 ? '' : ` local-pref ${advertisement.localPref}`;
  return communities + localPref;
}
