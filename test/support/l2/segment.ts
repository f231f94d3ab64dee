// An Ethernet segment for L2 tests: a `switch` namespace holding bridge br0, node namespaces
// `node1..N` (eth0 on br0, 198.51.100.1N/24, 2001:db8:5::1N/64) set up as IPVS with strictARP
// does (every Service IP local on a port-less bridge `kube-ipvs0`, arp_ignore=1, arp_announce=2:
// the kernel stays silent, only a packet-socket responder answers) and a `client` namespace
// (198.51.100.100, 2001:db8:5::100). Everything is named with a lab prefix and removed by destroy().
import { execa, type ResultPromise } from 'execa';
import { createInterface } from 'node:readline';
import { claimLabPrefix, removeLabRun } from '../../../src/lab/lab-run.js';
import {
  addAddress,
  addBridge,
  addVethPair,
  attachToBridge,
  createNamespace,
  mustRun,
  run,
} from '../../../src/lab/netns.js';
import { addKubeIpvs0Address, setStrictArp } from './ipvs.js';
import { probeNeighbors, supportScript, type ProbeResult } from './neighbor-probe.js';

export const CLIENT_IPV4 = '198.51.100.100';
export const CLIENT_IPV6 = '2001:db8:5::100';

export interface SegmentNode {
  readonly name: string;
  readonly namespace: string;
  readonly mac: string;
}

/** A responder process in a node namespace, driven over stdin. */
export class ResponderProcess {
  private readonly lines: string[] = [];
  private readonly waiters: Array<() => void> = [];
  stderr = '';

  constructor(readonly child: ResultPromise) {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      this.lines.push(line);
      for (const wake of this.waiters.splice(0)) wake();
    });
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  /** The next stdout event named `event` (JSON), within timeoutMs. */
  async next(event: string, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.lines.findIndex((line) => line.includes(`"event":"${event}"`));
      if (index >= 0) return JSON.parse(this.lines.splice(index, 1)[0] ?? '{}') as Record<string, unknown>;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`responder: no ${event} event; stderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sets the owned IPs (interfaces undefined = all) and waits until the responder applied them. */
  async own(entries: ReadonlyArray<{ ip: string; interfaces?: readonly string[] }>): Promise<void> {
    const line = JSON.stringify({
      own: entries.map((entry) => ({ ip: entry.ip, interfaces: entry.interfaces ?? null })),
    });
    this.child.stdin?.write(`${line}\n`);
    await this.next('owned');
  }

  async counts(): Promise<{ requests: number; responses: number; gratuitous: number }> {
    this.child.stdin?.write('counts\n');
    return (await this.next('counts')) as unknown as {
      requests: number;
      responses: number;
      gratuitous: number;
    };
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

export class L2Segment {
  private readonly responders: ResponderProcess[] = [];

  private constructor(
    readonly prefix: string,
    readonly nodes: SegmentNode[],
    readonly clientNamespace: string,
  ) {}

  static async create(nodeCount: number): Promise<L2Segment> {
    const prefix = await claimLabPrefix();
    try {
      const switchNs = `${prefix}-switch`;
      await createNamespace(switchNs);
      await addBridge(switchNs, 'br0');
      const nodes: SegmentNode[] = [];
      for (let index = 1; index <= nodeCount; index += 1) {
        const namespace = `${prefix}-node${index}`;
        await createNamespace(namespace);
        await addVethPair({ ns: switchNs, name: `p-node${index}` }, { ns: namespace, name: 'eth0' });
        await attachToBridge(switchNs, `p-node${index}`, 'br0');
        await addAddress(namespace, 'eth0', `198.51.100.${10 + index}/24`);
        await addAddress(namespace, 'eth0', `2001:db8:5::${10 + index}/64`);
        await setStrictArp(namespace);
        const link = await mustRun(undefined, ['ip', '-n', namespace, '-br', 'link', 'show', 'eth0']);
        nodes.push({ name: `node${index}`, namespace, mac: link.split(/\s+/)[2] ?? '' });
      }
      const clientNamespace = `${prefix}-client`;
      await createNamespace(clientNamespace);
      await addVethPair({ ns: switchNs, name: 'p-client' }, { ns: clientNamespace, name: 'eth0' });
      await attachToBridge(switchNs, 'p-client', 'br0');
      await addAddress(clientNamespace, 'eth0', `${CLIENT_IPV4}/24`);
      await addAddress(clientNamespace, 'eth0', `${CLIENT_IPV6}/64`);
      return new L2Segment(prefix, nodes, clientNamespace);
    } catch (error) {
      await removeLabRun(prefix);
      throw error;
    }
  }

  node(index: number): SegmentNode {
    const node = this.nodes[index];
    if (node === undefined) throw new Error(`no node ${index}`);
    return node;
  }

  /** Makes `ip` local on every node's kube-ipvs0, as kube-proxy in IPVS mode does. */
  async addServiceIp(ip: string): Promise<void> {
    for (const node of this.nodes) await addKubeIpvs0Address(node.namespace, ip);
  }

  async startResponder(node: SegmentNode, env: Record<string, string> = {}): Promise<ResponderProcess> {
    const child = execa(
      'ip',
      ['netns', 'exec', node.namespace, process.execPath, supportScript('responder-process.js')],
      {
        reject: false,
        buffer: false,
        stdin: 'pipe',
        env,
      },
    );
    const responder = new ResponderProcess(child);
    this.responders.push(responder);
    await responder.next('ready');
    return responder;
  }

  /** "Who has ip?" from the client; every answer within waitMs. */
  async probe(ip: string, waitMs = 300): Promise<ProbeResult> {
    return probeNeighbors(this.clientNamespace, 'eth0', ip, CLIENT_IPV4, waitMs);
  }

  /** The MAC the client's kernel has for ip (`ip neigh`), or undefined. */
  async clientNeighbor(ip: string): Promise<string | undefined> {
    const out = await mustRun(undefined, ['ip', '-n', this.clientNamespace, 'neigh', 'show', ip]);
    return /lladdr ([0-9a-f:]{17})/.exec(out)?.[1];
  }

  /** Makes the client's kernel resolve ip (a TCP connect attempt) and returns the neighbour entry. */
  async clientResolve(ip: string): Promise<string | undefined> {
    const host = JSON.stringify(ip);
    await run(this.clientNamespace, [
      process.execPath,
      '-e',
      `const s=require('net').connect({host:${host},port:9});s.on('error',()=>process.exit(0));s.on('connect',()=>process.exit(0));setTimeout(()=>process.exit(0),3000)`,
    ]);
    return this.clientNeighbor(ip);
  }

  async destroy(): Promise<string[]> {
    for (const responder of this.responders) responder.kill();
    return removeLabRun(this.prefix);
  }
}
