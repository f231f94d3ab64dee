// The ARP/NDP responder: packet sockets on the suitable interfaces, answering for the owned IPs
// only (answer.ts decides), gratuitous ARP / unsolicited NA when an IP becomes owned, silence the
// moment it is not. Interfaces are rescanned periodically and on every ownership change.
import { createSocket, type Socket } from 'node:dgram';
import { existsSync } from 'node:fs';
import type { Logger } from 'winston';
import { answerArp, answerNdp, type ResponderLink, type Verdict } from './answer.js';
import { buildGratuitousArp } from './arp.js';
import { linkSkipReason } from './interfaces.js';
import { claimedByOther } from './takeover.js';
import { formatMac } from './mac.js';
import { buildUnsolicitedAdvertisement, multicastMac, solicitedNodeGroup } from './ndp.js';
import { ipv4Number, ipv6Bytes, type OwnedAddress, type OwnedTable } from './owned.js';
import { listLinks, PacketSocket, type LinkInfo } from './packet-socket.js';

/** MetalLB's counters (label `ip`), incremented by the responder. */
export interface L2Counters {
  requestReceived(ip: string): void;
  responseSent(ip: string): void;
  gratuitousSent(ip: string): void;
}

export interface ResponderOptions {
  readonly logger: Logger;
  readonly counters?: L2Counters;
  /** gratuitous rounds after taking an IP, and their spacing: MetalLB's 5 over ~5 s by default */
  readonly gratuitousRounds?: number;
  readonly gratuitousIntervalMs?: number;
  /** interface rescan period; default 10 s (MetalLB's) */
  readonly rescanMs?: number;
  /**
   * answer in this network namespace (a file such as /var/run/netns/NAME) instead of the process's:
   * hosts whose data-plane interfaces live in their own namespace, and the lab
   */
  readonly netns?: string;
}

interface LinkState {
  link: ResponderLink;
  readonly index: number;
  arp: PacketSocket | undefined;
  ndp: PacketSocket | undefined;
  /** joins solicited-node groups at the IP layer, so MLD-snooping switches forward them to us */
  mld: Socket | undefined;
  readonly groups: Set<string>;
}

/** A bridge or bond port (its master answers). sysfs shows the process's own namespace only. */
function isEnslaved(name: string): boolean {
  return existsSync(`/sys/class/net/${name}/master`);
}

export class L2Responder {
  private owned: Map<string, OwnedAddress> = new Map();
  private readonly links = new Map<number, LinkState>();
  private readonly gratuitousTimers = new Map<string, NodeJS.Timeout>();
  private readonly rescanTimer: NodeJS.Timeout;
  private closed = false;
  private onClaimed: ((ip: string) => void) | undefined;

  constructor(private readonly options: ResponderOptions) {
    this.rescanTimer = setInterval(() => this.rescan(), options.rescanMs ?? 10_000);
    this.rescanTimer.unref();
    this.rescan();
  }

  /** The interfaces answered on now (name → MAC), for status and tests. */
  interfaces(): Map<string, string> {
    return new Map([...this.links.values()].map((state) => [state.link.name, formatMac(state.link.mac)]));
  }

  /** Replaces the owned set: new IPs are announced, dropped ones are no longer answered from now on. */
  setOwned(addresses: readonly OwnedAddress[]): void {
    if (this.closed) return;
    const next = new Map(addresses.map((address) => [address.ip.text, address]));
    const gained = [...next.keys()].filter((ip) => !this.owned.has(ip));
    const lost = [...this.owned.keys()].filter((ip) => !next.has(ip));
    this.owned = next;
    for (const ip of lost) this.stopGratuitous(ip);
    this.rescan();
    for (const ip of gained) this.startGratuitous(ip);
    if (gained.length > 0 || lost.length > 0)
      this.options.logger.info('layer2 ownership changed', { gained, lost, owned: next.size });
  }

  /** Announces owned IPs again (a node that had taken them while partitioned is back). */
  reannounce(ips: readonly string[]): void {
    if (this.closed) return;
    const again = ips.filter((ip) => this.owned.has(ip));
    for (const ip of again) {
      this.stopGratuitous(ip);
      this.startGratuitous(ip);
    }
    if (again.length > 0)
      this.options.logger.info('layer2: announcing owned IPs again, a candidate is back', { ips: again });
  }

  /** Reports each owned IP another host announces (graceful hand-over); undefined stops it. */
  watchClaims(onClaimed: ((ip: string) => void) | undefined): void {
    this.onClaimed = onClaimed;
  }

  ownedTable(): OwnedTable {
    return this.owned;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.rescanTimer);
    for (const ip of [...this.gratuitousTimers.keys()]) this.stopGratuitous(ip);
    for (const state of this.links.values()) this.closeLink(state);
    this.links.clear();
    this.owned = new Map();
  }

  /** Opens sockets on new suitable interfaces, closes them on vanished ones, keeps groups joined. */
  rescan(): void {
    if (this.closed) return;
    let all: LinkInfo[];
    try {
      all = listLinks(this.options.netns);
    } catch (error) {
      this.options.logger.error('layer2: cannot list interfaces', { error: String(error) });
      return;
    }
    const enslaved = new Set(
      this.options.netns === undefined
        ? all.filter((link) => isEnslaved(link.name)).map((link) => link.name)
        : [],
    );
    const keep = new Set<number>();
    for (const info of all) {
      if (linkSkipReason(info, enslaved) !== undefined || info.mac === undefined) continue;
      keep.add(info.index);
      const link: ResponderLink = { name: info.name, mac: info.mac, linkLocal: info.linkLocal };
      const state = this.links.get(info.index) ?? this.openLink(info.index, link);
      if (state === undefined) continue;
      state.link = link;
      if (state.ndp === undefined && link.linkLocal !== undefined) state.ndp = this.openSocket(state, 'ndp');
      this.syncGroups(state);
    }
    for (const [index, state] of this.links) {
      if (keep.has(index)) continue;
      this.closeLink(state);
      this.links.delete(index);
      this.options.logger.info('layer2: stopped answering on interface', { interface: state.link.name });
    }
  }

  private openLink(index: number, link: ResponderLink): LinkState | undefined {
    const state: LinkState = {
      link,
      index,
      arp: undefined,
      ndp: undefined,
      mld: undefined,
      groups: new Set(),
    };
    state.arp = this.openSocket(state, 'arp');
    if (state.arp === undefined) return undefined;
    if (link.linkLocal !== undefined) state.ndp = this.openSocket(state, 'ndp');
    this.links.set(index, state);
    this.options.logger.info('layer2: answering on interface', {
      interface: link.name,
      mac: formatMac(link.mac),
      ndp: state.ndp !== undefined,
    });
    return state;
  }

  private openSocket(state: LinkState, kind: 'arp' | 'ndp'): PacketSocket | undefined {
    try {
      return PacketSocket.open(
        state.index,
        kind,
        (frame) => this.onFrame(state, kind, frame),
        this.options.netns,
      );
    } catch (error) {
      this.options.logger.error('layer2: cannot open packet socket (the speaker needs CAP_NET_RAW)', {
        interface: state.link.name,
        kind,
        error: String(error),
      });
      return undefined;
    }
  }

  private closeLink(state: LinkState): void {
    state.arp?.close();
    state.ndp?.close();
    state.mld?.close();
    state.arp = undefined;
    state.ndp = undefined;
    state.mld = undefined;
  }

  private onFrame(state: LinkState, kind: 'arp' | 'ndp', frame: Buffer): void {
    if (this.onClaimed !== undefined) {
      const macs = [...this.links.values()].map((link) => link.link.mac);
      const claimed = claimedByOther(frame, kind, macs, this.owned);
      if (claimed !== undefined) this.onClaimed(claimed);
    }
    const verdict: Verdict =
      kind === 'arp' ? answerArp(frame, state.link, this.owned) : answerNdp(frame, state.link, this.owned);
    if (verdict.kind === 'drop') return;
    this.options.counters?.requestReceived(verdict.ip);
    const socket = kind === 'arp' ? state.arp : state.ndp;
    try {
      socket?.send(verdict.frame);
      this.options.counters?.responseSent(verdict.ip);
    } catch (error) {
      this.options.logger.warn('layer2: reply failed', {
        interface: state.link.name,
        ip: verdict.ip,
        error: String(error),
      });
    }
  }

  /** Solicited-node groups of the owned IPv6 addresses, joined on the NIC and at the IP layer. */
  private syncGroups(state: LinkState): void {
    if (state.ndp === undefined) return;
    for (const owned of this.owned.values()) {
      if (owned.ip.family !== 'ipv6') continue;
      const group = solicitedNodeGroup(ipv6Bytes(owned.ip));
      const key = group.toString('hex');
      if (state.groups.has(key)) continue;
      state.groups.add(key);
      try {
        state.ndp.addMembership(multicastMac(group));
      } catch (error) {
        this.options.logger.warn('layer2: cannot join multicast group', {
          interface: state.link.name,
          error: String(error),
        });
      }
      this.joinMld(state, group);
    }
  }

  private joinMld(state: LinkState, group: Buffer): void {
    // a UDP socket lives in the process's namespace: no MLD join for another one
    if (this.options.netns !== undefined) return;
    if (state.mld === undefined) {
      const socket = createSocket({ type: 'udp6', reuseAddr: true });
      socket.on('error', () => undefined);
      socket.unref();
      state.mld = socket;
      socket.bind(0, () => this.addIpMembership(state, group));
      return;
    }
    this.addIpMembership(state, group);
  }

  private addIpMembership(state: LinkState, group: Buffer): void {
    const text = (group.toString('hex').match(/.{4}/g) ?? []).join(':');
    try {
      state.mld?.addMembership(text, `::%${state.link.name}`);
    } catch {
      // Only matters behind MLD-snooping switches; the NIC filter above already accepts the group.
    }
  }

  private startGratuitous(ip: string): void {
    const rounds = this.options.gratuitousRounds ?? 5;
    const interval = this.options.gratuitousIntervalMs ?? 1100;
    let sent = 0;
    const round = (): void => {
      this.gratuitousTimers.delete(ip);
      const owned = this.owned.get(ip);
      if (owned === undefined || this.closed) return;
      this.sendGratuitous(owned);
      sent += 1;
      if (sent < rounds) {
        const timer = setTimeout(round, interval);
        timer.unref();
        this.gratuitousTimers.set(ip, timer);
      }
    };
    round();
  }

  private stopGratuitous(ip: string): void {
    const timer = this.gratuitousTimers.get(ip);
    if (timer !== undefined) clearTimeout(timer);
    this.gratuitousTimers.delete(ip);
  }

  private sendGratuitous(owned: OwnedAddress): void {
    for (const state of this.links.values()) {
      if (owned.interfaces !== undefined && !owned.interfaces.has(state.link.name)) continue;
      const frames =
        owned.ip.family === 'ipv4'
          ? state.arp === undefined
            ? []
            : buildGratuitousArp(ipv4Number(owned.ip), state.link.mac).map((frame) => ({
                frame,
                socket: state.arp,
              }))
          : state.ndp === undefined
            ? []
            : [
                {
                  frame: buildUnsolicitedAdvertisement({
                    ourMac: state.link.mac,
                    sourceIp: state.link.linkLocal ?? ipv6Bytes(owned.ip),
                    target: ipv6Bytes(owned.ip),
                  }),
                  socket: state.ndp,
                },
              ];
      for (const { frame, socket } of frames) {
        try {
          socket?.send(frame);
          this.options.counters?.gratuitousSent(owned.ip.text);
        } catch (error) {
          this.options.logger.warn('layer2: gratuitous announcement failed', {
            interface: state.link.name,
            ip: owned.ip.text,
            error: String(error),
          });
        }
      }
    }
  }
}
