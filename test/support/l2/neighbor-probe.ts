// "Who has IP?" asked from a host's namespace the way its kernel asks (ARP request, or Neighbor
// Solicitation to the solicited-node group), with every answer collected by probe-process.js: what
// `arping` / `ndisc6` show, without needing either tool on the machine.
import { join } from 'node:path';
import { linkLocalAddress, run } from '../../../src/lab/netns.js';
import { packageRoot } from '../../../src/util/package-root.js';

export interface ProbeResult {
  readonly replies: ReadonlyArray<{ readonly mac: string; readonly ms: number }>;
}

export function supportScript(name: string): string {
  return join(packageRoot(), 'dist', 'test', 'support', 'l2', name);
}

/** The distinct MACs that answered, in order of first answer. */
export function answeringMacs(result: ProbeResult): string[] {
  return [...new Set(result.replies.map((reply) => reply.mac))];
}

/**
 * Asks for `ip` on `device` of `namespace` and returns every answer within waitMs. The source is
 * `ipv4Source` for IPv4, the device's link-local address for IPv6.
 */
export async function probeNeighbors(
  namespace: string,
  device: string,
  ip: string,
  ipv4Source: string,
  waitMs = 300,
): Promise<ProbeResult> {
  const source = ip.includes(':') ? await linkLocalAddress(namespace, device) : ipv4Source;
  const result = await run(namespace, [
    process.execPath,
    supportScript('probe-process.js'),
    device,
    ip,
    source,
    String(waitMs),
  ]);
  if (result.exitCode !== 0) throw new Error(`probe failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as ProbeResult;
}
