// A node set up the way kube-proxy's IPVS mode with strictARP leaves it: every Service IP local on a
// port-less `kube-ipvs0` (a dummy link in real clusters; no dummy on the test kernel, a bridge without
// ports stands in), arp_ignore=1 and arp_announce=2, so the kernel itself never answers ARP for them.
import { mustRun, run, setSysctl } from '../../../src/lab/netns.js';

export async function setStrictArp(namespace: string): Promise<void> {
  await setSysctl(namespace, 'net.ipv4.conf.all.arp_ignore', 1);
  await setSysctl(namespace, 'net.ipv4.conf.all.arp_announce', 2);
}

/** Makes `ip` local on the namespace's kube-ipvs0 (created when missing), as kube-proxy does. */
export async function addKubeIpvs0Address(namespace: string, ip: string): Promise<void> {
  const existing = await run(namespace, ['ip', 'link', 'show', 'kube-ipvs0']);
  if (existing.exitCode !== 0)
    await mustRun(undefined, ['ip', '-n', namespace, 'link', 'add', 'kube-ipvs0', 'type', 'bridge']);
  const prefix = `${ip}/${ip.includes(':') ? 128 : 32}`;
  await mustRun(undefined, ['ip', '-n', namespace, 'address', 'add', prefix, 'dev', 'kube-ipvs0']);
}
