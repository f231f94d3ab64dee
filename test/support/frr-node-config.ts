// ferry's rendered frr.conf for a lab node (node1: 192.0.2.11 / 198.51.100.11) peering with both lab
// ToRs (tor1 192.0.2.1, tor2 198.51.100.1, AS 65000) over BFD, announcing a list of service IPs; used by
// the apply FRR tests and bench/frr-apply.ts.
import type { PeerAdvertisement } from '../../src/announce/types.js';
import { frrModelForNode } from '../../src/frr/build-model.js';
import { defaultFrrRenderer } from '../../src/frr/templates.js';
import { bfdProfile, peer } from './builders.js';

const render = defaultFrrRenderer();

/** A service IP and the standard community it is announced with (default 65000:100). */
export type Announced = string | { readonly prefix: string; readonly community: string };

/** ferry's frr.conf for node1 announcing `prefixes` to both ToRs, BFD on. */
export function nodeConfig(prefixes: readonly Announced[], options: { password?: string } = {}): string {
  const peers = [
    peer('tor1', '192.0.2.1', { bfdProfile: 'fast', password: options.password }),
    peer('tor2', '198.51.100.1', { bfdProfile: 'fast' }),
  ];
  const advertisements = prefixes.flatMap((announced): PeerAdvertisement[] => {
    const { prefix, community } =
      typeof announced === 'string' ? { prefix: announced, community: '65000:100' } : announced;
    return ['tor1', 'tor2'].map((peer) => ({
      prefix,
      family: prefix.includes(':') ? 'ipv6' : 'ipv4',
      peer,
      communities: [{ kind: 'standard', value: community }],
      localPref: 0,
    }));
  });
  return render(
    frrModelForNode({
      peers,
      bfdProfiles: [bfdProfile('fast', { receiveInterval: 300, transmitInterval: 300, detectMultiplier: 3 })],
      advertisements,
    }),
  );
}
