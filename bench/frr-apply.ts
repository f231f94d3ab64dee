// The apply engine against a real FRR 8.4 (docs/design.md §8 target: one added/removed service IP at 10,000
// announced prefixes costs ≤ 5% of frr-reload.py and ≤ 2× one hand-written vtysh command). One lab node
// peering with both lab ToRs, N announced /32s from 198.18.0.0/15; per N and per method (ferry's
// applier with and without the bgpd vty channel, frr-reload.py --reload of the whole file, one
// hand-written `vtysh -c`) the time of the
// command and the time until tor1 shows the change, same FRR, same run, runs interleaved. Then FRR
// restarted empty with the largest N: time until both ToRs have every route again.
// Prints numbers; not a test. Root, FRR 8.4. Run:
//   npx tsc -p tsconfig.json && node dist/bench/frr-apply.js [N ...] [--runs 5]
import { join } from 'node:path';
import { createApplier, type Applier } from '../src/frr/apply/applier.js';
import { createVtyChannel, vtySocketPath, type VtyChannel } from '../src/frr/vty-channel.js';
import { reloadFileText, unmanagedLines } from '../src/frr/apply/reload-file.js';
import { nodeConfig } from '../test/support/frr-node-config.js';
import { Fabric } from '../src/lab/fabric.js';
import type { FrrInstance } from '../src/lab/frr-instance.js';
import { torFrrConfigForNodes } from '../src/lab/tor-config.js';
import { waitUntil } from '../src/lab/wait-until.js';
import { writeFile } from 'node:fs/promises';

/**
 * ferry: `applier.apply` without a channel (plan, FRR's parser on the delta, one vtysh call, frr.conf
 * written); ferry-prechecked: the same after `applier.precheck` ran the parser (what the sync loop
 * does while it debounces), so the timed part is plan + vtysh + frr.conf; ferry-channel: `apply` of an
 * applier with the bgpd vty channel (plan, the commands over the open bgpd socket, frr.conf written);
 * channel: the hand-written `vtysh -c` commands over that channel alone (what the socket costs).
 */
type Method = 'ferry' | 'ferry-prechecked' | 'ferry-channel' | 'reload' | 'vtysh' | 'channel';
const METHODS: readonly Method[] = [
  'ferry',
  'ferry-prechecked',
  'ferry-channel',
  'reload',
  'vtysh',
  'channel',
];

interface Sample {
  readonly commandMs: number;
  readonly torMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function scalePrefix(index: number): string {
  // 198.18.0.0/15 holds 131,072 /32s.
  return `198.${18 + (index >> 16)}.${(index >> 8) & 255}.${index & 255}/32`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

async function prefixesReceived(tor: FrrInstance, peer: string): Promise<number> {
  const summary = await tor.vtysh.show('show bgp ipv4 unicast summary json');
  if (!summary.ok) return -1;
  const peers = (summary.value as { peers?: Record<string, { pfxRcd?: number }> }).peers ?? {};
  return peers[peer]?.pfxRcd ?? -1;
}

async function waitForCount(
  tors: readonly FrrInstance[],
  peers: readonly string[],
  count: number,
  timeoutMs: number,
) {
  const results = await Promise.all(
    tors.map((tor, i) =>
      waitUntil(
        async () => {
          const received = await prefixesReceived(tor, peers[i] ?? '');
          return received === count
            ? { done: true, value: received }
            : { done: false, why: `${received} of ${count}` };
        },
        { timeoutMs, intervalMs: 50 },
      ),
    ),
  );
  for (const r of results) if (!r.ok) throw new Error(`ToR did not reach ${count} prefixes: ${r.last}`);
}

async function waitForPrefix(tor: FrrInstance, prefix: string, present: boolean): Promise<void> {
  const result = await waitUntil(
    async () => {
      const route = await tor.vtysh.show(`show bgp ipv4 unicast ${prefix} json`);
      const has = route.ok && ((route.value as { paths?: unknown[] }).paths?.length ?? 0) > 0;
      return has === present
        ? { done: true, value: undefined }
        : { done: false, why: `${prefix} present=${has}` };
    },
    { timeoutMs: 30_000, intervalMs: 10 },
  );
  if (!result.ok) throw new Error(result.last);
}

interface Scenario {
  readonly speaker: FrrInstance;
  readonly tor: FrrInstance;
  readonly applier: Applier;
  readonly channelApplier: Applier;
  readonly channel: VtyChannel;
  readonly configFile: string;
  readonly base: string;
  readonly withExtra: string;
  readonly extra: string;
  readonly extraRouteMap: string;
  readonly unmanaged: readonly string[];
}

/** One change (add or remove the extra IP) with one method; times the command and the ToR. */
async function change(s: Scenario, method: Method, add: boolean): Promise<Sample> {
  if (method === 'ferry-prechecked') await s.applier.precheck(add ? s.withExtra : s.base);
  const started = performance.now();
  if (method === 'ferry' || method === 'ferry-prechecked') {
    const result = await s.applier.apply(add ? s.withExtra : s.base);
    if (result.kind !== 'applied' || result.method !== 'incremental') {
      throw new Error(`ferry did not apply incrementally: ${JSON.stringify(result)}`);
    }
  } else if (method === 'ferry-channel') {
    const result = await s.channelApplier.apply(add ? s.withExtra : s.base);
    if (result.kind !== 'applied' || result.method !== 'channel') {
      throw new Error(`ferry did not apply through the channel: ${JSON.stringify(result)}`);
    }
  } else if (method === 'reload') {
    await writeFile(s.configFile, reloadFileText(add ? s.withExtra : s.base, s.unmanaged));
    const result = await s.speaker.vtysh.frrReload(s.configFile, 'reload');
    if (!result.ok) throw new Error(`frr-reload.py failed: ${result.error.message}`);
  } else {
    const line = `network ${s.extra} route-map ${s.extraRouteMap}`;
    const commands = [
      'configure terminal',
      'router bgp 65100',
      'address-family ipv4 unicast',
      add ? line : `no ${line}`,
    ];
    if (method === 'channel') {
      const result = await s.channel.run([...commands, 'end']);
      if (!result.ok) throw new Error(`channel failed: ${result.error.message}`);
    } else {
      const result = await s.speaker.vtysh.commands(commands);
      if (!result.ok) throw new Error(`vtysh failed: ${result.error.message}`);
    }
  }
  const commandMs = performance.now() - started;
  await waitForPrefix(s.tor, s.extra, add);
  return { commandMs, torMs: performance.now() - started };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runsFlag = args.indexOf('--runs');
  const runs = runsFlag >= 0 ? Number(args[runsFlag + 1]) : 5;
  const sizes = args.filter((a, i) => /^\d+$/.test(a) && i !== runsFlag + 1).map(Number);
  if (sizes.length === 0) sizes.push(1_000, 5_000, 10_000);

  const fabric = await Fabric.create({ nodes: 1 });
  const report: Record<string, unknown>[] = [];
  try {
    const node = fabric.node(1);
    const tors = await Promise.all(
      fabric.tors.map((tor) => fabric.startFrr(tor, torFrrConfigForNodes(tor, [node]))),
    );
    const peers = [node.linkA.ipv4, node.linkB.ipv4];
    let speaker = await fabric.startFrr(node, 'frr defaults datacenter\n');
    const configFile = join(speaker.configDir, 'frr.conf');
    const applier = createApplier({ vtysh: speaker.vtysh, configFile });
    const channel = createVtyChannel({ socketPath: vtySocketPath(speaker.runDir, 'bgpd') });
    const channelApplier = createApplier({ vtysh: speaker.vtysh, configFile, bgpdChannel: channel });
    let largest: { n: number; text: string } | undefined;

    for (const n of sizes) {
      const prefixes = Array.from({ length: n }, (_, i) => scalePrefix(i));
      const renderStarted = performance.now();
      const base = nodeConfig(prefixes);
      const renderMs = performance.now() - renderStarted;
      const extra = scalePrefix(n);
      const withExtra = nodeConfig([...prefixes, extra]);
      const extraRouteMap = /network \S+ route-map (\S+)/.exec(base)?.[1] ?? '';

      const loadStarted = performance.now();
      const load = await applier.apply(base);
      const loadMs = performance.now() - loadStarted;
      await waitForCount(tors, peers, n, 300_000);
      const loadTorMs = performance.now() - loadStarted;
      console.log(
        `N=${n}: rendered in ${seconds(renderMs)} s; loaded (${load.kind === 'applied' ? `${load.method}/${load.reason}` : load.kind}) in ${seconds(loadMs)} s, both ToRs have all ${n} after ${seconds(loadTorMs)} s`,
      );
      // The channel applier learns the running config its own way (frr-reload.py, nothing to change).
      channelApplier.forget();
      const channelLoad = await channelApplier.apply(base);
      if (channelLoad.kind !== 'applied') throw new Error(`channel applier: ${JSON.stringify(channelLoad)}`);
      // Let bgpd's route-map delay timer and the initial updates pass before timing.
      await sleep(6_000);
      const running = await speaker.vtysh.runningConfig();
      const scenario: Scenario = {
        speaker,
        tor: tors[0]!,
        applier,
        channelApplier,
        channel,
        configFile,
        base,
        withExtra,
        extra,
        extraRouteMap,
        unmanaged: running.ok ? unmanagedLines(running.value, base) : [],
      };

      const samples = new Map<string, Sample[]>();
      for (let run = 0; run < runs; run++) {
        for (const method of METHODS) {
          for (const add of [true, false]) {
            const sample = await change(scenario, method, add);
            const key = `${method} ${add ? 'add' : 'remove'}`;
            samples.set(key, [...(samples.get(key) ?? []), sample]);
            await sleep(1_000);
          }
        }
      }
      // frr-reload.py wrote its own view into frr.conf; put ferry's back.
      await applier.apply(base);

      const row = (key: string) => {
        const list = samples.get(key) ?? [];
        return {
          command: median(list.map((s) => s.commandMs)),
          tor: median(list.map((s) => s.torMs)),
          commandRuns: list.map((s) => seconds(s.commandMs)),
          torRuns: list.map((s) => seconds(s.torMs)),
        };
      };
      for (const op of ['add', 'remove']) {
        const ferry = row(`ferry ${op}`);
        const prechecked = row(`ferry-prechecked ${op}`);
        const viaChannel = row(`ferry-channel ${op}`);
        const reload = row(`reload ${op}`);
        const vtysh = row(`vtysh ${op}`);
        const channelAlone = row(`channel ${op}`);
        for (const [method, r] of [
          ['ferry', ferry],
          ['ferry (prechecked)', prechecked],
          ['ferry (channel)', viaChannel],
          ['frr-reload', reload],
          ['vtysh -c', vtysh],
          ['channel (by hand)', channelAlone],
        ] as const) {
          console.log(
            `  ${op.padEnd(6)} ${method.padEnd(18)} command ${seconds(r.command)} s [${r.commandRuns.join(' ')}]  ToR ${seconds(r.tor)} s [${r.torRuns.join(' ')}]`,
          );
        }
        const ratios = {
          ferryVsReload: ferry.command / reload.command,
          ferryVsVtysh: ferry.command / vtysh.command,
          precheckedVsVtysh: prechecked.command / vtysh.command,
          channelVsReload: viaChannel.command / reload.command,
          channelVsVtysh: viaChannel.command / vtysh.command,
          torChannelVsVtysh: viaChannel.tor / vtysh.tor,
          torFerryVsReload: ferry.tor / reload.tor,
          torFerryVsVtysh: ferry.tor / vtysh.tor,
        };
        console.log(
          `  ${op.padEnd(6)} ferry/frr-reload ${(100 * ratios.ferryVsReload).toFixed(1)}%  ferry/vtysh ${ratios.ferryVsVtysh.toFixed(2)}x  prechecked/vtysh ${ratios.precheckedVsVtysh.toFixed(2)}x  channel/frr-reload ${(100 * ratios.channelVsReload).toFixed(1)}%  channel/vtysh ${ratios.channelVsVtysh.toFixed(2)}x  ToR: ferry/frr-reload ${(100 * ratios.torFerryVsReload).toFixed(1)}%, ferry/vtysh ${ratios.torFerryVsVtysh.toFixed(2)}x, channel/vtysh ${ratios.torChannelVsVtysh.toFixed(2)}x`,
        );
        report.push({
          n,
          op,
          ferry,
          prechecked,
          viaChannel,
          reload,
          vtysh,
          channelAlone,
          ratios,
          loadMs,
          loadTorMs,
          renderMs,
        });
      }
      largest = { n, text: base };
    }

    channel.close();
    if (largest !== undefined) {
      // FRR restarted empty (a new FRR container with no persisted frr.conf); a restarted speaker applies.
      await fabric.stopFrr(speaker);
      await waitForCount(tors, peers, 0, 60_000);
      const started = performance.now();
      speaker = await fabric.startFrr(node, 'frr defaults datacenter\n');
      const frrUpMs = performance.now() - started;
      const restarted = createApplier({
        vtysh: speaker.vtysh,
        configFile: join(speaker.configDir, 'frr.conf'),
      });
      const result = await restarted.apply(largest.text);
      const appliedMs = performance.now() - started;
      await waitForCount(tors, peers, largest.n, 300_000);
      const allBackMs = performance.now() - started;
      console.log(
        `FRR restarted empty, N=${largest.n}: FRR up ${seconds(frrUpMs)} s, config applied (${result.kind === 'applied' ? result.method : result.kind}) ${seconds(appliedMs)} s, all routes at both ToRs ${seconds(allBackMs)} s`,
      );
      report.push({ restartEmpty: { n: largest.n, frrUpMs, appliedMs, allBackMs } });
    }
    console.log(JSON.stringify(report));
  } finally {
    const problems = await fabric.destroy();
    if (problems.length > 0) console.error(`cleanup problems: ${problems.join('; ')}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
