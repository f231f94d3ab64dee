// The lab fabric (docs/design.md §9) on one machine: a `fabric` namespace holding
// two bridges, two ToRs (AS 65000) and N nodes attached to both:
//
//   tor1 eth0 192.0.2.1/24, 2001:db8:ffff:a::1/64  ── br-a ──  nodeK eth-a 192.0.2.(10+K), 2001:db8:ffff:a::(10+K)
//   tor2 eth0 198.51.100.1/24, 2001:db8:ffff:b::1/64 ── br-b ── nodeK eth-b 198.51.100.(10+K), 2001:db8:ffff:b::(10+K)
//
// Every namespace and FRR instance is named `<prefix>-<role>` and removed by one `destroy()`.
import {
  startFrrInstance,
  stopFrrInstance,
  type FrrInstance,
  type FrrInstanceOptions,
  type StopOptions,
} from './frr-instance.js';
import { claimLabPrefix, removeLabRun, sweepStaleLabRuns } from './lab-run.js';
import {
  addAddress,
  addBridge,
  addVethPair,
  attachToBridge,
  createNamespace,
  deleteNamespace,
  enableForwarding,
} from './netns.js';

export const TOR_ASN = 65000;

/** One address of a lab interface. */
export interface LinkAddress {
  readonly ipv4: string;
  readonly ipv6: string;
}

export interface FabricLink extends LinkAddress {
  /** interface name inside the host's namespace */
  readonly device: string;
  /** the fabric bridge it is plugged into */
  readonly bridge: 'br-a' | 'br-b';
  /** interface name of the other veth end, in the fabric namespace (set it down to cut the link) */
  readonly fabricDevice: string;
}

export interface TorHandle {
  readonly role: 'tor1' | 'tor2';
  readonly namespace: string;
  readonly asn: number;
  readonly link: FabricLink;
}

export interface NodeHandle {
  /** `node1`, `node2`, ... */
  readonly role: string;
  readonly index: number;
  readonly namespace: string;
  /** eth-a towards tor1 (br-a) */
  readonly linkA: FabricLink;
  /** eth-b towards tor2 (br-b) */
  readonly linkB: FabricLink;
}

export interface FabricOptions {
  /** number of nodes (node1..nodeN), at most 200 */
  readonly nodes: number;
}

const SIDE = {
  a: { bridge: 'br-a', ipv4: '192.0.2', ipv6: '2001:db8:ffff:a' },
  b: { bridge: 'br-b', ipv4: '198.51.100', ipv6: '2001:db8:ffff:b' },
} as const;

function link(side: 'a' | 'b', host: number, device: string, fabricDevice: string): FabricLink {
  return {
    device,
    fabricDevice,
    bridge: SIDE[side].bridge,
    ipv4: `${SIDE[side].ipv4}.${host}`,
    ipv6: `${SIDE[side].ipv6}::${host}`,
  };
}

async function plug(fabricNamespace: string, namespace: string, end: FabricLink): Promise<void> {
  await addVethPair({ ns: fabricNamespace, name: end.fabricDevice }, { ns: namespace, name: end.device });
  await attachToBridge(fabricNamespace, end.fabricDevice, end.bridge);
  await addAddress(namespace, end.device, `${end.ipv4}/24`);
  await addAddress(namespace, end.device, `${end.ipv6}/64`);
}

export class Fabric {
  private readonly instances = new Map<string, FrrInstance>();

  private constructor(
    readonly prefix: string,
    readonly fabricNamespace: string,
    readonly tors: readonly [TorHandle, TorHandle],
    readonly nodes: readonly NodeHandle[],
  ) {}

  /** Builds the namespaces and links (no FRR yet). On failure everything built so far is removed. */
  static async create(options: FabricOptions): Promise<Fabric> {
    if (!Number.isInteger(options.nodes) || options.nodes < 0 || options.nodes > 200) {
      throw new RangeError(`a fabric has 0..200 nodes, not ${options.nodes}`);
    }
    await sweepStaleLabRuns();
    const prefix = await claimLabPrefix();
    const name = (role: string) => `${prefix}-${role}`;
    const tors: [TorHandle, TorHandle] = [
      { role: 'tor1', namespace: name('tor1'), asn: TOR_ASN, link: link('a', 1, 'eth0', 'tor1') },
      { role: 'tor2', namespace: name('tor2'), asn: TOR_ASN, link: link('b', 1, 'eth0', 'tor2') },
    ];
    const nodes = Array.from({ length: options.nodes }, (_, i): NodeHandle => {
      const index = i + 1;
      return {
        role: `node${index}`,
        index,
        namespace: name(`node${index}`),
        linkA: link('a', 10 + index, 'eth-a', `n${index}a`),
        linkB: link('b', 10 + index, 'eth-b', `n${index}b`),
      };
    });
    const fabric = new Fabric(prefix, name('fabric'), tors, nodes);
    try {
      await createNamespace(fabric.fabricNamespace);
      await addBridge(fabric.fabricNamespace, 'br-a');
      await addBridge(fabric.fabricNamespace, 'br-b');
      for (const tor of tors) {
        await createNamespace(tor.namespace);
        await enableForwarding(tor.namespace);
        await plug(fabric.fabricNamespace, tor.namespace, tor.link);
      }
      for (const node of nodes) {
        await createNamespace(node.namespace);
        await plug(fabric.fabricNamespace, node.namespace, node.linkA);
        await plug(fabric.fabricNamespace, node.namespace, node.linkB);
      }
    } catch (error) {
      await fabric.destroy();
      throw error;
    }
    return fabric;
  }

  get allNamespaces(): string[] {
    return [
      this.fabricNamespace,
      ...this.tors.map((t) => t.namespace),
      ...this.nodes.map((n) => n.namespace),
    ];
  }

  node(index: number): NodeHandle {
    const node = this.nodes[index - 1];
    if (node === undefined)
      throw new RangeError(`the fabric has nodes 1..${this.nodes.length}, not ${index}`);
    return node;
  }

  /** Starts FRR in the host's namespace, named like it; hostname = role. Stopped again by destroy(). */
  async startFrr(
    host: TorHandle | NodeHandle,
    config: string,
    options: Omit<FrrInstanceOptions, 'name' | 'namespace' | 'config'> = {},
  ): Promise<FrrInstance> {
    const instance = await startFrrInstance({
      hostname: host.role,
      ...options,
      name: host.namespace,
      namespace: host.namespace,
      config,
    });
    this.instances.set(instance.name, instance);
    return instance;
  }

  /** Stops one instance early (e.g. to restart it); returns what could not be cleaned up. */
  async stopFrr(instance: FrrInstance, options: StopOptions = {}): Promise<string[]> {
    this.instances.delete(instance.name);
    return stopFrrInstance(instance, options);
  }

  /** Stops every FRR instance, deletes every namespace of this run. Never throws. */
  async destroy(): Promise<string[]> {
    const problems: string[] = [];
    const stopped = await Promise.all(
      [...this.instances.values()].map((instance) => stopFrrInstance(instance)),
    );
    problems.push(...stopped.flat());
    this.instances.clear();
    for (const ns of this.allNamespaces.reverse()) problems.push(...(await deleteNamespace(ns)));
    // catches anything named with this prefix that the steps above did not know about
    problems.push(...(await removeLabRun(this.prefix)));
    return problems;
  }
}
