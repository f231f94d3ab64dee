// A controller restart moves no IP (MetalLB #1774, #2443, #2479): N Services hold IPs,
// `ferry controller` restarts (cleanly, then crashed with SIGKILL) while new Services wait; every
// existing ingress IP stays, no existing Service is written at all (same resourceVersion), and the
// newcomers get free IPs. The ToR keeps every route throughout.
import { jest } from '@jest/globals';
import { ClusterLab } from '../../src/lab/cluster-lab.js';
import { nextHopsAt } from '../../src/lab/tor-routes.js';
import { waitUntil } from '../../src/lab/wait-until.js';
import {
  documents,
  endpointSlice,
  kubectlJson,
  metallb,
  outcome,
  seedPeers,
  serviceYaml,
  startSpeakers,
  waitForIngress,
} from './support.js';

jest.setTimeout(300_000);

const COUNT = 24;

interface ServiceObject {
  readonly metadata: { readonly name: string; readonly resourceVersion: string };
  readonly status?: { readonly loadBalancer?: { readonly ingress?: readonly { readonly ip?: string }[] } };
}

/** name → `ip@resourceVersion` of every Service in default. */
async function serviceView(lab: ClusterLab): Promise<Map<string, string>> {
  const list = await kubectlJson<{ items: ServiceObject[] }>(lab, ['get', 'services', '-n', 'default']);
  return new Map(
    list.items.map((svc) => {
      const ips = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '?').join(',');
      return [svc.metadata.name, `${ips}@${svc.metadata.resourceVersion}`];
    }),
  );
}

const ipOf = (entry: string | undefined) => entry?.split('@')[0] ?? '';

/** The controller process's log has `line` at least `count` times. */
async function waitForLogLine(lab: ClusterLab, line: string, count: number): Promise<void> {
  const result = await waitUntil(
    async () => {
      const seen = lab.controllerLog.split('\n').filter((l) => l.includes(line)).length;
      return seen >= count ? { done: true, value: seen } : { done: false, why: `${seen} × "${line}"` };
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
  if (!result.ok) throw new Error(`controller log: ${result.last}`);
}

describe('controller restart', () => {
  let lab: ClusterLab;
  const names = Array.from({ length: COUNT }, (_, i) => `svc-${String(i).padStart(2, '0')}`);

  /** Every ingress IP at the ToR (one node announces them all). */
  async function routesAtTor(ips: readonly string[]): Promise<number> {
    const hops = await Promise.all(ips.map((ip) => nextHopsAt(lab.tors[0]!, `${ip}/32`)));
    return hops.filter((h) => h.length === 1).length;
  }

  beforeAll(async () => {
    lab = await ClusterLab.create({ nodes: 1 });
    await lab.apply(lab.nodeObjectsYaml());
    await lab.apply(
      documents(
        seedPeers(),
        metallb('IPAddressPool', 'prod-pool', { addresses: ['203.0.113.0/26'] }),
        metallb('BGPAdvertisement', 'prod-adv', { ipAddressPools: ['prod-pool'] }),
        ...names.flatMap((name) => [serviceYaml({ name }), endpointSlice(name, [{ node: 'node-21' }])]),
      ),
    );
    lab.startController();
    startSpeakers(lab);
    for (const name of names) await waitForIngress(lab, name);
  });

  afterAll(async () => {
    expect(await lab?.destroy()).toEqual([]);
  });

  async function restartWithNewcomer(
    stop: () => Promise<void>,
    newcomer: string,
    startsSoFar: number,
  ): Promise<void> {
    const before = await serviceView(lab);
    const ips = [...before.values()].map(ipOf);
    expect(new Set(ips).size).toBe(before.size);
    expect(
      outcome(
        await waitUntil(
          async () => {
            const n = await routesAtTor(ips);
            return n === ips.length
              ? { done: true, value: n }
              : { done: false, why: `${n}/${ips.length} routes` };
          },
          { timeoutMs: 30_000, intervalMs: 250 },
        ),
      ),
    ).toBe('ok');

    await stop();
    // a Service created while no controller runs; its name sorts before every other one
    await lab.apply(
      documents(serviceYaml({ name: newcomer }), endpointSlice(newcomer, [{ node: 'node-21' }])),
    );
    lab.startController();
    await waitForLogLine(lab, 'caches synced', startsSoFar + 1);
    const [newIp] = await waitForIngress(lab, newcomer, 1, 60_000);
    // let anything the new controller might still write land before comparing
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    const after = await serviceView(lab);
    for (const [name, entry] of before) expect(`${name} ${after.get(name)}`).toBe(`${name} ${entry}`);
    expect(ips).not.toContain(newIp);
    expect(newIp).toMatch(/^203\.0\.113\.([0-9]|[1-5][0-9]|6[0-3])$/);
    expect(await routesAtTor(ips)).toBe(ips.length);
  }

  test(`${COUNT} Services keep their IPs and are not written across a clean restart`, async () => {
    await restartWithNewcomer(() => lab.stopController(), 'aaa-new', 1);
  });

  test('the same after the controller is killed (SIGKILL, the Lease not released)', async () => {
    const crash = async () => {
      const child = lab.controller;
      lab.controller = undefined;
      child?.kill('SIGKILL');
      await child;
    };
    await restartWithNewcomer(crash, 'aab-new', 2);
  });
});
