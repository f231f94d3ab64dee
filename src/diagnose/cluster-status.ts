// `kubectl ferry status`: the whole cluster at a glance — every BGP session the speakers report,
// the pools' used/total addresses (from the allocator, as the controller counts them), every
// ConfigurationState that is not Valid, the controller, and nodes whose speaker reports nothing.
import { allocatorWithShownAddresses, type PoolUsage } from './assignment.js';
import { controllerHealth, type ControllerHealth } from './controller-health.js';
import type { ClusterSnapshot, ConfigurationState, SessionState } from './snapshot.js';
import { formatTable, type Paint, type Tone } from './table.js';

export interface ClusterStatus {
  readonly sessions: readonly SessionState[];
  readonly pools: readonly PoolUsage[];
  /** not Valid, or FRR rejected the last apply */
  readonly problemStates: readonly ConfigurationState[];
  readonly controller: ControllerHealth;
  /** Nodes with neither a ConfigurationState speaker-<node> nor a BGPSessionState */
  readonly silentNodes: readonly string[];
  /** Nodes whose Ready condition is not True: their speakers' reports may be stale */
  readonly notReadyNodes: ClusterSnapshot['notReadyNodes'];
  /** the objects ferry rejects, naming object and field */
  readonly configErrors: readonly string[];
  /** every session Established, every state Valid, every speaker reporting, the controller running */
  readonly healthy: boolean;
}

function hasProblem(state: ConfigurationState): boolean {
  return (
    (state.result !== '' && state.result !== 'Valid') ||
    state.conditions.some((c) => c.type === 'frrApplied' && c.status === 'False')
  );
}

export function clusterStatus(
  snapshot: ClusterSnapshot,
  options: { readonly lbClass: string },
): ClusterStatus {
  const allocator = allocatorWithShownAddresses(snapshot, options.lbClass);
  const autoAssign = new Map(snapshot.config.pools.map((pool) => [pool.name, pool.autoAssign]));
  const pools = allocator.poolStats().map((stats) => ({
    pool: stats.pool,
    autoAssign: autoAssign.get(stats.pool) ?? false,
    used: stats.inUse,
    total: String(stats.total),
  }));
  const problemStates = snapshot.configurationStates.filter(hasProblem);
  const reporting = new Set([
    ...snapshot.sessions.map((s) => s.node),
    ...snapshot.configurationStates.map((s) => s.name.replace(/^speaker-/, '')),
  ]);
  const silentNodes = snapshot.resources.nodes
    .map((n) => n.name)
    .filter((name) => !reporting.has(name))
    .sort();
  const controller = controllerHealth(snapshot);
  return {
    sessions: snapshot.sessions,
    pools,
    problemStates,
    controller,
    silentNodes,
    notReadyNodes: snapshot.notReadyNodes,
    configErrors: snapshot.configErrors,
    healthy:
      snapshot.sessions.every((s) => s.bgpStatus === 'Established') &&
      problemStates.length === 0 &&
      silentNodes.length === 0 &&
      snapshot.notReadyNodes.length === 0 &&
      controller.running !== 'notRunning',
  };
}

function stateMessage(state: ConfigurationState): string {
  const failedApply = state.conditions.find((c) => c.type === 'frrApplied' && c.status === 'False');
  if (state.result !== 'Valid') return `${state.result}: ${state.errorSummary.replace(/\n/g, '; ')}`;
  return `FRR rejected the last apply: ${failedApply?.message ?? ''}`;
}

export function clusterStatusText(
  status: ClusterStatus,
  options: { readonly wide: boolean; readonly paint: Paint },
): string {
  const { paint } = options;
  const bgpTone = (s: SessionState): Tone => (s.bgpStatus === 'Established' ? 'good' : 'bad');
  const bfdTone = (s: SessionState): Tone =>
    s.bfdStatus === 'up' || s.bfdStatus === 'N/A' ? 'plain' : 'bad';
  const headers = [
    'NODE',
    'PEER',
    'VRF',
    'BGP',
    'BFD',
    'UPTIME',
    'SENT',
    'RECEIVED',
    ...(options.wide ? ['BFD TIMERS'] : []),
    'LAST ERROR',
  ];
  const out: string[] = [];
  out.push(
    status.sessions.length === 0
      ? 'No BGPSessionState: no speaker reports a session.\n'
      : formatTable(
          headers,
          status.sessions.map((s) => [
            { text: s.node },
            { text: s.peer },
            { text: s.vrf || 'default' },
            { text: s.bgpStatus, tone: bgpTone(s) },
            { text: s.bfdStatus, tone: bfdTone(s) },
            { text: s.uptime || '-' },
            { text: String(s.prefixesSent) },
            { text: String(s.prefixesReceived) },
            ...(options.wide ? [{ text: s.bfdTimers || '-' }] : []),
            { text: s.lastError || '-' },
          ]),
          paint,
        ),
  );
  out.push('\n');
  out.push(
    status.pools.length === 0
      ? 'No valid IPAddressPool.\n'
      : formatTable(
          ['POOL', 'AUTOASSIGN', 'USED', 'TOTAL'],
          status.pools.map((p) => [
            { text: p.pool },
            { text: String(p.autoAssign) },
            { text: String(p.used), tone: String(p.used) === p.total ? 'bad' : 'plain' },
            { text: p.total },
          ]),
          paint,
        ),
  );
  out.push('\n');
  const controllerTone = status.controller.running === 'notRunning' ? 'bad' : 'plain';
  out.push(`Controller: ${paint(status.controller.runningDetail, controllerTone)}\n`);
  const down = status.sessions.filter((s) => s.bgpStatus !== 'Established').length;
  if (down > 0) {
    out.push(`${paint('!', 'bad')} ${down} of ${status.sessions.length} BGP sessions not Established\n`);
  }
  for (const node of status.notReadyNodes) {
    const reason = node.reason === '' ? '' : `: ${node.reason}`;
    out.push(
      `${paint('!', 'bad')} ${node.node} is not Ready (${node.status}${reason}): its rows above may be stale\n`,
    );
  }
  for (const node of status.silentNodes) {
    out.push(
      `${paint('!', 'bad')} ${node}: its speaker reports nothing (no ConfigurationState speaker-${node}, no BGPSessionState)\n`,
    );
  }
  for (const state of status.problemStates) {
    out.push(`${paint('!', 'bad')} ConfigurationState ${state.name}: ${stateMessage(state)}\n`);
  }
  if (options.wide)
    for (const error of status.configErrors) out.push(`${paint('!', 'warn')} rejected: ${error}\n`);
  if (status.problemStates.length === 0 && status.silentNodes.length === 0) {
    out.push(`${paint('ok', 'good')}: every ConfigurationState is Valid\n`);
  }
  return out.join('');
}
