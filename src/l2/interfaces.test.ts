import { linkSkipReason } from './interfaces.js';
import type { LinkInfo } from './packet-socket.js';

const UP_BROADCAST = 0x1 | 0x2 | 0x1000;
const mac = Buffer.from('020000000001', 'hex');

function linkNamed(name: string, overrides: Partial<LinkInfo> = {}): LinkInfo {
  return { name, index: 2, mac, hardwareType: 1, flags: UP_BROADCAST, linkLocal: undefined, ...overrides };
}

describe('linkSkipReason', () => {
  it.each(['eth0', 'ens3', 'bond0', 'br0', 'eth0.100', 'eth-a'])('answers on %s', (name) => {
    expect(linkSkipReason(linkNamed(name), new Set())).toBeUndefined();
  });

  it.each([
    'lo',
    'veth12ab',
    'cni0',
    'cali1234',
    'flannel.1',
    'kube-ipvs0',
    'docker0',
    'cilium_host',
    'lxc99',
    'vxlan.calico',
    'tunl0',
  ])('skips the virtual interface %s', (name) => {
    expect(linkSkipReason(linkNamed(name), new Set())).toBe('virtual');
  });

  it('skips interfaces that are down, not Ethernet, NOARP or enslaved to a bridge or bond', () => {
    expect(linkSkipReason(linkNamed('eth0', { flags: 0x2 }), new Set())).toBe('down');
    expect(linkSkipReason(linkNamed('wg0', { hardwareType: 65534 }), new Set())).toBe('notEthernet');
    expect(linkSkipReason(linkNamed('eth0', { flags: UP_BROADCAST | 0x80 }), new Set())).toBe('noArp');
    expect(linkSkipReason(linkNamed('eth0', { flags: UP_BROADCAST | 0x800 }), new Set())).toBe('enslaved');
    expect(linkSkipReason(linkNamed('eth1'), new Set(['eth1']))).toBe('enslaved');
  });
});
