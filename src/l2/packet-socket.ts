// The native packet socket (native/packet_socket.c) behind a typed wrapper. The addon is built by
// `npm run build:native` (scripts/ensure-deps.sh and the Dockerfile run it); loading it is lazy so
// that commands without L2 never need it.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../util/package-root.js';

export type PacketKind = 'arp' | 'ndp';

/** An interface as the kernel lists it (if_nameindex + SIOCGIFHWADDR + SIOCGIFFLAGS). */
export interface LinkInfo {
  readonly name: string;
  readonly index: number;
  /** undefined when the kernel reports no hardware address */
  readonly mac: Buffer | undefined;
  /** ARPHRD_* (1 = Ethernet) */
  readonly hardwareType: number | undefined;
  /** IFF_* flags */
  readonly flags: number;
  /** the first IPv6 link-local address, if any */
  readonly linkLocal: Buffer | undefined;
}

interface NativeHandle {
  readonly __brand: 'packet-socket';
}

interface NativeAddon {
  open(ifindex: number, kind: PacketKind, onFrame: (frame: Buffer) => void, netns?: string): NativeHandle;
  send(handle: NativeHandle, frame: Buffer): void;
  addMembership(handle: NativeHandle, mac: Buffer): void;
  close(handle: NativeHandle): void;
  interfaces(netns?: string): Array<{
    name: string;
    index: number;
    mac?: Buffer;
    hardwareType?: number;
    flags?: number;
    linkLocal?: Buffer;
  }>;
}

export const ADDON_PATH = join('native', 'build', 'Release', 'ferry_packet.node');

let addon: NativeAddon | undefined;

function loadAddon(): NativeAddon {
  if (addon !== undefined) return addon;
  const path = join(packageRoot(), ADDON_PATH);
  if (!existsSync(path))
    throw new Error(
      `the packet socket addon ${path} is missing: run \`npm run build:native\` (L2 mode needs it)`,
    );
  addon = createRequire(import.meta.url)(path) as NativeAddon;
  return addon;
}

/** A packet socket bound to one interface, reading ARP or NDP frames until closed. */
export class PacketSocket {
  private closed = false;

  private constructor(
    private readonly handle: NativeHandle,
    readonly ifindex: number,
    readonly kind: PacketKind,
  ) {}

  /**
   * Throws (with `code` EPERM without CAP_NET_RAW, ENODEV for a vanished interface). `netns`: a
   * network namespace file (/var/run/netns/NAME) to create the socket in; default the process's.
   */
  static open(
    ifindex: number,
    kind: PacketKind,
    onFrame: (frame: Buffer) => void,
    netns?: string,
  ): PacketSocket {
    const addon = loadAddon();
    const handle =
      netns === undefined ? addon.open(ifindex, kind, onFrame) : addon.open(ifindex, kind, onFrame, netns);
    return new PacketSocket(handle, ifindex, kind);
  }

  send(frame: Buffer): void {
    loadAddon().send(this.handle, frame);
  }

  /** Accept frames sent to this multicast MAC (the NIC filter; solicited-node groups). */
  addMembership(mac: Buffer): void {
    loadAddon().addMembership(this.handle, mac);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    loadAddon().close(this.handle);
  }
}

/** The interfaces of the process's network namespace, or of `netns`. */
export function listLinks(netns?: string): LinkInfo[] {
  const addon = loadAddon();
  return (netns === undefined ? addon.interfaces() : addon.interfaces(netns)).map((raw) => ({
    name: raw.name,
    index: raw.index,
    mac: raw.mac,
    hardwareType: raw.hardwareType,
    flags: raw.flags ?? 0,
    linkLocal: raw.linkLocal,
  }));
}
