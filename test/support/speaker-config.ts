// A plain node (speaker) frr.conf for lab tests and benchmarks that need a BGP speaker without ferry's
// renderer.
import { bgpRouterOpening } from '../../src/lab/tor-config.js';

export interface SpeakerNeighbor {
  readonly address: string;
  readonly asn: number;
  /** default true */
  readonly bfd?: boolean;
  readonly shutdown?: boolean;
  /** default: the neighbor's own family */
  readonly families?: readonly ('ipv4' | 'ipv6')[];
}

export interface SpeakerConfig {
  readonly asn: number;
  readonly routerId: string;
  readonly neighbors: readonly SpeakerNeighbor[];
  /** originated with `network`, by family */
  readonly networks?: readonly string[];
}

const familyOf = (text: string) => (text.includes(':') ? 'ipv6' : 'ipv4');

export function speakerConfig(config: SpeakerConfig): string {
  const families = (['ipv4', 'ipv6'] as const).map((family) => {
    const neighbors = config.neighbors.filter((n) => (n.families ?? [familyOf(n.address)]).includes(family));
    const networks = (config.networks ?? []).filter((network) => familyOf(network) === family);
    if (neighbors.length === 0 && networks.length === 0) return [];
    return [
      ` address-family ${family} unicast`,
      ...networks.map((network) => `  network ${network}`),
      ...neighbors.map((n) => `  neighbor ${n.address} activate`),
      ' exit-address-family',
    ];
  });
  return [
    ...bgpRouterOpening(config.asn, config.routerId),
    ...config.neighbors.flatMap((n) => [
      ` neighbor ${n.address} remote-as ${n.asn}`,
      ...((n.bfd ?? true) ? [` neighbor ${n.address} bfd`] : []),
      ...(n.shutdown === true ? [` neighbor ${n.address} shutdown`] : []),
    ]),
    ...families.flat(),
    'exit',
    '!',
    '',
  ].join('\n');
}
