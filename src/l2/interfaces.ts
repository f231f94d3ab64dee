// Which interfaces the responder listens on: up, Ethernet, ARP-capable, not enslaved to a bridge or
// bond (the master answers), and not one of the virtual interfaces container networking creates
// (MetalLB skips the same kinds). NDP additionally needs an IPv6 link-local address.
import type { LinkInfo } from './packet-socket.js';

const IFF_UP = 0x1;
const IFF_BROADCAST = 0x2;
const IFF_LOOPBACK = 0x8;
const IFF_NOARP = 0x80;
const IFF_SLAVE = 0x800;
const ARPHRD_ETHER = 1;

/** Name patterns of virtual interfaces never answered on, whatever the L2Advertisement says. */
export const SKIPPED_INTERFACES: readonly RegExp[] = [
  /^lo$/,
  /^veth/,
  /^cni/,
  /^cali/,
  /^flannel/,
  /^kube-ipvs0$/,
  /^kube-bridge$/,
  /^nodelocaldns$/,
  /^docker/,
  /^cilium/,
  /^lxc/,
  /^vxlan/,
  /^tunl/,
  /^weave/,
  /^virbr/,
];

export type LinkSkipReason = 'down' | 'notEthernet' | 'noArp' | 'enslaved' | 'virtual';

export function linkSkipReason(link: LinkInfo, enslaved: ReadonlySet<string>): LinkSkipReason | undefined {
  if (SKIPPED_INTERFACES.some((pattern) => pattern.test(link.name))) return 'virtual';
  if ((link.flags & IFF_UP) === 0) return 'down';
  if ((link.flags & IFF_LOOPBACK) !== 0 || link.hardwareType !== ARPHRD_ETHER || link.mac === undefined)
    return 'notEthernet';
  if ((link.flags & IFF_NOARP) !== 0 || (link.flags & IFF_BROADCAST) === 0) return 'noArp';
  if ((link.flags & IFF_SLAVE) !== 0 || enslaved.has(link.name)) return 'enslaved';
  return undefined;
}
