// ToRs that are not FRR, for the interoperability scenario: BIRD 2 and GoBGP running in a lab ToR's
// namespace (after its FRR is stopped), each peering eBGP with the given nodes and accepting
// everything they announce. Each runs in the foreground as a child of this process; `stop()` ends
// it by its pid and removes its files.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { run, type CommandResult } from '../../src/lab/netns.js';
import { waitUntil } from '../../src/lab/wait-until.js';

export interface AltTorNeighbor {
  readonly name: string;
  readonly address: string;
  readonly asn: number;
}

export interface AltTorOptions {
  readonly namespace: string;
  readonly routerId: string;
  readonly asn: number;
  readonly neighbors: readonly AltTorNeighbor[];
  /** BIRD only: BFD on every session with these timers */
  readonly bfd?: { readonly intervalMs: number; readonly multiplier: number };
}

export interface AltTor {
  /** one command of the router's CLI (`birdc` / `gobgp`), in its namespace */
  cli(args: readonly string[]): Promise<CommandResult>;
  stop(): Promise<void>;
}

function spawnInNamespace(namespace: string, argv: readonly string[]): ResultPromise {
  return execa('ip', ['netns', 'exec', namespace, ...argv], { reject: false, all: true, buffer: true });
}

async function stopChild(child: ResultPromise, workDir: string): Promise<void> {
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await child;
  clearTimeout(timer);
  rmSync(workDir, { recursive: true, force: true });
}

/** Waits for the CLI to answer; throws with the daemon's output when it never does. */
async function waitForCli(tor: AltTor, args: readonly string[], child: ResultPromise, name: string) {
  const ready = await waitUntil(
    async () => {
      const result = await tor.cli(args);
      return result.exitCode === 0 ? { done: true, value: true } : { done: false, why: result.stderr };
    },
    { timeoutMs: 15_000, intervalMs: 200 },
  );
  if (!ready.ok) {
    await tor.stop();
    const output = (await child).all;
    throw new Error(`${name} did not start: ${ready.last}\n${typeof output === 'string' ? output : ''}`);
  }
}

export function birdConfig(options: AltTorOptions): string {
  const bfd = options.bfd;
  return [
    `router id ${options.routerId};`,
    'protocol device {}',
    // into the ToR's kernel, one path per node
    'protocol kernel { ipv4 { export all; import none; }; merge paths on; }',
    ...(bfd === undefined
      ? []
      : [
          'protocol bfd {',
          `  interface "*" { min rx interval ${bfd.intervalMs} ms; min tx interval ${bfd.intervalMs} ms; multiplier ${bfd.multiplier}; };`,
          '}',
        ]),
    ...options.neighbors.flatMap((n) => [
      `protocol bgp ${n.name} {`,
      `  local as ${options.asn};`,
      `  neighbor ${n.address} as ${n.asn};`,
      // a lab ToR retries within seconds (BIRD waits 60 s after an error by default)
      '  hold time 9; keepalive time 3; connect retry time 1; error wait time 1, 5;',
      ...(bfd === undefined ? [] : ['  bfd on;']),
      '  ipv4 { import all; export none; };',
      '}',
    ]),
    '',
  ].join('\n');
}

export async function startBirdTor(options: AltTorOptions): Promise<AltTor> {
  const workDir = mkdtempSync(join(tmpdir(), 'ferry-e2e-bird-'));
  const conf = join(workDir, 'bird.conf');
  const socket = join(workDir, 'bird.ctl');
  writeFileSync(conf, birdConfig(options));
  const child = spawnInNamespace(options.namespace, ['bird', '-f', '-c', conf, '-s', socket]);
  const tor: AltTor = {
    cli: (args) => run(options.namespace, ['birdc', '-s', socket, ...args]),
    stop: () => stopChild(child, workDir),
  };
  await waitForCli(tor, ['show', 'status'], child, 'bird');
  return tor;
}

export function gobgpConfig(options: AltTorOptions): string {
  return [
    '[global.config]',
    `  as = ${options.asn}`,
    `  router-id = "${options.routerId}"`,
    ...options.neighbors.flatMap((n) => [
      '[[neighbors]]',
      '  [neighbors.config]',
      `    neighbor-address = "${n.address}"`,
      `    peer-as = ${n.asn}`,
      '  [neighbors.timers.config]',
      '    hold-time = 9',
      '    keepalive-interval = 3',
      '    connect-retry = 1',
      '  [[neighbors.afi-safis]]',
      '    [neighbors.afi-safis.config]',
      '      afi-safi-name = "ipv4-unicast"',
    ]),
    '',
  ].join('\n');
}

const GOBGP_API = '127.0.0.1:50051';

export async function startGobgpTor(options: AltTorOptions): Promise<AltTor> {
  const workDir = mkdtempSync(join(tmpdir(), 'ferry-e2e-gobgp-'));
  const conf = join(workDir, 'gobgpd.toml');
  writeFileSync(conf, gobgpConfig(options));
  // the API listens on the namespace's own loopback
  const child = spawnInNamespace(options.namespace, [
    'gobgpd',
    '-f',
    conf,
    '-t',
    'toml',
    '--api-hosts',
    GOBGP_API,
    '--log-level',
    'warn',
  ]);
  const [host, port] = GOBGP_API.split(':') as [string, string];
  const tor: AltTor = {
    cli: (args) => run(options.namespace, ['gobgp', '-u', host, '-p', port, ...args]),
    stop: () => stopChild(child, workDir),
  };
  await waitForCli(tor, ['global'], child, 'gobgpd');
  return tor;
}
