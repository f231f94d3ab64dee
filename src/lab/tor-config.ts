// frr.conf for a lab ToR: AS 65000, eBGP to the given node addresses with BFD, ECMP over up to 8
// next-hops, and everything the nodes announce accepted (IPv4 and IPv6 unicast on every session).
import type { FabricLink, NodeHandle, TorHandle } from './fabric.js';

/**
 * The first lines of every lab router's frr.conf: datacenter defaults (3/9 s timers) and a permissive
 * `router bgp` (no policy needed to exchange routes, `network` without a matching route).
 */
export function bgpRouterOpening(asn: number, routerId: string): string[] {
  return [
    'frr defaults datacenter',
    '!',
    `router bgp ${asn}`,
    ` bgp router-id ${routerId}`,
    ' no bgp ebgp-requires-policy',
    ' no bgp default ipv4-unicast',
    ' no bgp network import-check',
  ];
}

export interface TorPeer {
  readonly address: string;
  /** default `external`: any AS other than the ToR's */
  readonly asn?: number | 'external' | 'internal';
  /** default true */
  readonly bfd?: boolean;
  readonly password?: string;
}

export interface TorConfigOptions {
  readonly routerId: string;
  readonly asn: number;
  readonly peers: readonly TorPeer[];
  /** default 8 */
  readonly maximumPaths?: number;
  /** BFD timers for every peer with BFD; default bfdd's 300 ms × 3 */
  readonly bfd?: {
    readonly receiveMs: number;
    readonly transmitMs: number;
    readonly detectMultiplier: number;
  };
}

export function torFrrConfig(options: TorConfigOptions): string {
  const maximumPaths = options.maximumPaths ?? 8;
  const profile = options.bfd === undefined ? [] : [' bfd profile lab'];
  const neighbors = options.peers.flatMap((peer) => [
    ` neighbor ${peer.address} remote-as ${peer.asn ?? 'external'}`,
    ...(peer.password === undefined ? [] : [` neighbor ${peer.address} password ${peer.password}`]),
    ...((peer.bfd ?? true)
      ? [` neighbor ${peer.address} bfd`, ...profile.map((p) => ` neighbor ${peer.address}${p}`)]
      : []),
  ]);
  const family = (name: 'ipv4' | 'ipv6') => [
    ` address-family ${name} unicast`,
    `  maximum-paths ${maximumPaths}`,
    `  maximum-paths ibgp ${maximumPaths}`,
    ...options.peers.map((peer) => `  neighbor ${peer.address} activate`),
    ' exit-address-family',
  ];
  return [
    ...bgpRouterOpening(options.asn, options.routerId),
    ' bgp bestpath as-path multipath-relax',
    ...neighbors,
    ...family('ipv4'),
    ...family('ipv6'),
    'exit',
    '!',
    ...(options.bfd === undefined
      ? []
      : [
          'bfd',
          ' profile lab',
          `  receive-interval ${options.bfd.receiveMs}`,
          `  transmit-interval ${options.bfd.transmitMs}`,
          `  detect-multiplier ${options.bfd.detectMultiplier}`,
          ' exit',
          'exit',
          '!',
        ]),
    '',
  ].join('\n');
}

function nodeLinkTowards(tor: TorHandle, node: NodeHandle): FabricLink {
  return tor.link.bridge === node.linkA.bridge ? node.linkA : node.linkB;
}

/** The ToR's config with one IPv4 (and, if asked, one IPv6) session per node on its bridge. */
export function torFrrConfigForNodes(
  tor: TorHandle,
  nodes: readonly NodeHandle[],
  options: { readonly ipv6?: boolean; readonly peer?: Omit<TorPeer, 'address'> } & Partial<
    Pick<TorConfigOptions, 'maximumPaths' | 'bfd'>
  > = {},
): string {
  const links = nodes.map((node) => nodeLinkTowards(tor, node));
  const addresses = [...links.map((l) => l.ipv4), ...(options.ipv6 === true ? links.map((l) => l.ipv6) : [])];
  return torFrrConfig({
    routerId: tor.link.ipv4,
    asn: tor.asn,
    peers: addresses.map((address) => ({ ...options.peer, address })),
    maximumPaths: options.maximumPaths,
    bfd: options.bfd,
  });
}
