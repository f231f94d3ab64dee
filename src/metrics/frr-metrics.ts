// MetalLB's FRR-mode metrics (docs/metallb-compatibility.md §3), computed from what FRR reports: BGP with
// `peer="<ip>:<port>"` and `vrf`, BFD with `peer="<ip>"` and `vrf`. Names and labels are MetalLB's,
// so existing dashboards and alerts keep working.
import { Gauge, type Registry } from 'prom-client';
import type { BfdCounters } from '../frr/parse/bfd-counters.js';
import type { BfdSession } from '../frr/parse/bfd-peers.js';
import type { BgpPeerState } from '../frr/parse/bgp-neighbors.js';
import { ObservedCounter } from './observed-counter.js';

type BgpLabel = 'peer' | 'vrf';

export interface FrrMetrics {
  /**
   * @param peerPorts the configured port per neighbor (`<vrf>/<address or interface>`, vrf `default`);
   *   MetalLB labels sessions with the configured port, not the TCP port the connection happens to use
   */
  update(
    bgp: readonly BgpPeerState[],
    bfd: readonly BfdSession[],
    bfdCounters: readonly BfdCounters[],
    peerPorts?: ReadonlyMap<string, number>,
  ): void;
}

function bgpPeerLabel(state: BgpPeerState, peerPorts: ReadonlyMap<string, number> | undefined): string {
  const address = state.address ?? state.peer;
  const host = address.includes(':') ? `[${address}]` : address;
  return `${host}:${peerPorts?.get(`${state.vrf}/${state.peer}`) ?? 179}`;
}

export function createFrrMetrics(registry: Registry): FrrMetrics {
  const sessionUp = new Gauge<BgpLabel>({
    name: 'metallb_bgp_session_up',
    help: 'BGP session state (1 is up, 0 is down)',
    labelNames: ['peer', 'vrf'],
    registers: [registry],
  });
  const announced = new Gauge<BgpLabel>({
    name: 'metallb_bgp_announced_prefixes_total',
    help: 'Number of prefixes currently being advertised on the BGP session',
    labelNames: ['peer', 'vrf'],
    registers: [registry],
  });
  const counter = (name: string, help: string) =>
    new ObservedCounter<BgpLabel>(registry, name, help, ['peer', 'vrf']);
  const messages = {
    opensSent: counter('metallb_bgp_opens_sent', 'Number of BGP open messages sent'),
    opensReceived: counter('metallb_bgp_opens_received', 'Number of BGP open messages received'),
    notificationsSent: counter('metallb_bgp_notifications_sent', 'Number of BGP notification messages sent'),
    updatesSent: counter('metallb_bgp_updates_total', 'Number of BGP UPDATE messages sent'),
    updatesReceived: counter('metallb_bgp_updates_total_received', 'Number of BGP UPDATE messages received'),
    keepalivesSent: counter('metallb_bgp_keepalives_sent', 'Number of BGP keepalive messages sent'),
    keepalivesReceived: counter(
      'metallb_bgp_keepalives_received',
      'Number of BGP keepalive messages received',
    ),
    routeRefreshSent: counter('metallb_bgp_route_refresh_sent', 'Number of BGP route refresh messages sent'),
    totalSent: counter('metallb_bgp_total_sent', 'Number of total BGP messages sent'),
    totalReceived: counter('metallb_bgp_total_received', 'Number of total BGP messages received'),
  };
  const bfdUp = new Gauge<BgpLabel>({
    name: 'metallb_bfd_session_up',
    help: 'BFD session state (1 is up, 0 is down)',
    labelNames: ['peer', 'vrf'],
    registers: [registry],
  });
  const bfdCounter = (name: string, help: string) =>
    new ObservedCounter<BgpLabel>(registry, name, help, ['peer', 'vrf']);
  const bfd = {
    controlIn: bfdCounter('metallb_bfd_control_packet_input', 'Number of received BFD control packets'),
    controlOut: bfdCounter('metallb_bfd_control_packet_output', 'Number of sent BFD control packets'),
    echoIn: bfdCounter('metallb_bfd_echo_packet_input', 'Number of received BFD echo packets'),
    echoOut: bfdCounter('metallb_bfd_echo_packet_output', 'Number of sent BFD echo packets'),
    upEvents: bfdCounter('metallb_bfd_session_up_events', 'Number of BFD session up events'),
    downEvents: bfdCounter('metallb_bfd_session_down_events', 'Number of BFD session down events'),
    zebra: bfdCounter('metallb_bfd_zebra_notifications', 'Number of BFD zebra notifications'),
  };
  const all = [...Object.values(messages), ...Object.values(bfd)];

  return {
    update(bgpStates, bfdSessions, bfdCounters, peerPorts) {
      sessionUp.reset();
      announced.reset();
      bfdUp.reset();
      for (const state of bgpStates) {
        const labels = { peer: bgpPeerLabel(state, peerPorts), vrf: state.vrf };
        sessionUp.set(labels, state.state === 'Established' ? 1 : 0);
        announced.set(
          labels,
          Object.values(state.prefixes).reduce((total, p) => total + (p.sent ?? 0), 0),
        );
        messages.opensSent.observe(labels, state.messagesSent.opens);
        messages.opensReceived.observe(labels, state.messagesReceived.opens);
        messages.notificationsSent.observe(labels, state.messagesSent.notifications);
        messages.updatesSent.observe(labels, state.messagesSent.updates);
        messages.updatesReceived.observe(labels, state.messagesReceived.updates);
        messages.keepalivesSent.observe(labels, state.messagesSent.keepalives);
        messages.keepalivesReceived.observe(labels, state.messagesReceived.keepalives);
        messages.routeRefreshSent.observe(labels, state.messagesSent.routeRefresh);
        messages.totalSent.observe(labels, state.messagesSent.total);
        messages.totalReceived.observe(labels, state.messagesReceived.total);
      }
      for (const session of bfdSessions)
        bfdUp.set({ peer: session.peer, vrf: session.vrf }, session.status === 'up' ? 1 : 0);
      for (const entry of bfdCounters) {
        const labels = { peer: entry.peer, vrf: entry.vrf };
        bfd.controlIn.observe(labels, entry.controlPacketsIn);
        bfd.controlOut.observe(labels, entry.controlPacketsOut);
        bfd.echoIn.observe(labels, entry.echoPacketsIn);
        bfd.echoOut.observe(labels, entry.echoPacketsOut);
        bfd.upEvents.observe(labels, entry.sessionUpEvents);
        bfd.downEvents.observe(labels, entry.sessionDownEvents);
        bfd.zebra.observe(labels, entry.zebraNotifications);
      }
      for (const metric of all) metric.endRound();
    },
  };
}
