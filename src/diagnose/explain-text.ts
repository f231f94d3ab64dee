// `kubectl ferry explain` as text: the assignment in a sentence, one row per node, then every
// disagreement on a line of its own. `wide` adds the pools and what each node withholds from whom.
import type { AssignmentDiagnosis } from './assignment.js';
import type { NodeSection } from './node-announcements.js';
import type { ServiceDiagnosis } from './service-diagnosis.js';
import { formatTable, type Cell, type Paint } from './table.js';

export interface TextOptions {
  readonly wide: boolean;
  readonly paint: Paint;
}

function assignmentLine(assignment: AssignmentDiagnosis, paint: Paint): string {
  switch (assignment.verdict) {
    case 'assigned':
      return `IP: ${paint(assignment.ips.join(', '), 'good')} from IPAddressPool ${assignment.pool}`;
    case 'wouldAssign':
      return `IP: ${paint('<pending>', 'bad')} (${assignment.cause}): ${assignment.message}`;
    case 'cannotAssign':
      return `IP: ${paint('<pending>', 'bad')} (${assignment.cause}): ${assignment.message}`;
    case 'wouldChange':
      return `IP: ${paint(assignment.shownIps.join(', ') || '<pending>', 'warn')} (${assignment.cause}): ${assignment.message}`;
    case 'notHandled':
      return `IP: not ferry's (${assignment.cause}): ${assignment.message}`;
  }
}

function nodeRows(section: NodeSection): Cell[][] {
  if (section.bgp.decisions.length === 0) {
    return [
      [{ text: section.node }, { text: 'no IP to announce', tone: 'warn' }, { text: '-' }, { text: '-' }],
    ];
  }
  return section.bgp.decisions.map((decision) => {
    const routes = section.bgp.routes.filter((route) =>
      decision.routes.some((r) => r.peer === route.peer && r.prefix === route.prefix),
    );
    const prefixes = [...new Set(routes.map((route) => route.prefix))];
    const first = routes[0];
    const attributes =
      first === undefined
        ? ''
        : `${first.communities.length === 0 ? '' : ` communities ${first.communities.join(' ')}`}${first.localPref === 0 ? '' : ` local-pref ${first.localPref}`}`;
    return decision.announced
      ? [
          { text: section.node },
          { text: 'announced', tone: 'good' },
          { text: decision.peers.join(',') },
          { text: `${prefixes.join(', ')}${attributes}` },
        ]
      : [
          { text: section.node },
          {
            text: `not announced (${decision.reason})`,
            tone: decision.reason === 'noPeers' ? 'bad' : 'warn',
          },
          { text: '-' },
          { text: decision.detail },
        ];
  });
}

function wideNodeLines(section: NodeSection): string[] {
  const lines: string[] = [];
  for (const route of section.bgp.routes) {
    const communities = route.communities.length === 0 ? '' : ` communities ${route.communities.join(' ')}`;
    const localPref = route.localPref === 0 ? '' : ` local-pref ${route.localPref}`;
    lines.push(
      `  ${section.node} to ${route.peer}: ${route.prefix}${communities}${localPref} (BGPAdvertisement ${route.advertisements.join(', ')})`,
    );
  }
  for (const decision of section.bgp.decisions) {
    for (const left of decision.withheld)
      lines.push(`  ${section.node} not to ${left.peer}: ${left.prefix}: ${left.why}`);
    if (decision.sharedWith.length > 0)
      lines.push(`  ${section.node}: ${decision.ip} is shared with ${decision.sharedWith.join(', ')}`);
  }
  return lines;
}

/** Layer 2: the one election every speaker computes alike, so it is told once. */
function layer2Lines(nodes: readonly NodeSection[], paint: Paint): string[] {
  const decision = nodes.find((section) => section.l2 !== undefined)?.l2;
  if (decision === undefined) return [];
  const lines = [
    decision.owner === undefined
      ? `Layer 2 (pool ${decision.pool}): ${paint('no node answers ARP/NDP', 'bad')}: ${decision.detail}`
      : `Layer 2 (pool ${decision.pool}): ${paint(decision.owner, 'good')} answers ARP/NDP for ${decision.ips.join(', ')}`,
  ];
  if (decision.candidates.length > 0)
    lines.push(`  candidates in MetalLB's order: ${decision.candidates.join(', ')}`);
  for (const { node, why } of decision.excluded) lines.push(`  ${node}: not a candidate (${why})`);
  return lines.map((line) => `${line}\n`);
}

export function explainText(diagnosis: ServiceDiagnosis, options: TextOptions): string {
  const { paint } = options;
  const out: string[] = [`Service ${diagnosis.namespace}/${diagnosis.name}\n`];
  const { assignment } = diagnosis;
  out.push(`${assignmentLine(assignment, paint)}\n`);
  if (!assignment.message.includes(assignment.controller.runningDetail))
    out.push(`Controller: ${assignment.controller.runningDetail}\n`);
  if (options.wide && assignment.pools.length > 0) {
    out.push('\n');
    out.push(
      formatTable(
        ['POOL', 'AUTOASSIGN', 'USED', 'SERVES THIS SERVICE'],
        assignment.pools.map((pool) => [
          { text: pool.pool },
          { text: String(pool.autoAssign) },
          { text: `${pool.used}/${pool.total}` },
          pool.scopeProblem === ''
            ? { text: 'yes', tone: 'good' }
            : { text: `no: ${pool.scopeProblem}`, tone: 'warn' },
        ]),
        paint,
      ),
    );
  }
  const noIp = diagnosis.nodes.every((section) =>
    section.bgp.decisions.every((decision) => decision.reason === 'noIPAllocated'),
  );
  if (diagnosis.nodes.length > 0 && noIp) {
    out.push(
      `Nodes: none announces it before it has an IP (noIPAllocated on ${diagnosis.nodes.length} nodes)\n`,
    );
  } else if (diagnosis.nodes.length > 0) {
    out.push('\n');
    out.push(formatTable(['NODE', 'BGP', 'PEERS', 'DETAIL'], diagnosis.nodes.flatMap(nodeRows), paint));
    if (options.wide) out.push(...diagnosis.nodes.flatMap(wideNodeLines).map((line) => `${line}\n`));
  }
  const layer2 = layer2Lines(diagnosis.nodes, paint);
  if (layer2.length > 0) out.push('\n', ...layer2);
  if (assignment.verdict !== 'notHandled') {
    out.push('\nIntended vs actual:\n');
    if (diagnosis.disagreements.length === 0) {
      out.push(`  ${paint('ok', 'good')}: every speaker reports what its decision says\n`);
    }
    for (const disagreement of diagnosis.disagreements)
      out.push(`  ${paint('!', 'bad')} ${disagreement.message}\n`);
  }
  return out.join('');
}
