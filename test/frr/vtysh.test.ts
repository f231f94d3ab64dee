// src/frr/vtysh.ts against real FRR 8.4: syntax check without daemons, show/configure on a running
// instance (by pathspace and by vty socket directory), FRR's refusals as values, frr-reload.py.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { parseBgpSummary } from '../../src/frr/parse/bgp-summary.js';
import { createVtysh } from '../../src/frr/vtysh.js';
import { Fabric } from '../../src/lab/fabric.js';
import { utsNamespacePrefix, type FrrInstance } from '../../src/lab/frr-instance.js';
import { waitUntil } from '../../src/lab/wait-until.js';
import { torFrrConfigForNodes } from '../../src/lab/tor-config.js';
import { speakerConfig } from '../support/speaker-config.js';

jest.setTimeout(120_000);

let fabric: Fabric | undefined;
let node: FrrInstance;
let tor: FrrInstance;
let scratch: string;

const baseConfig = (torAddress: string, routerId: string) =>
  speakerConfig({
    asn: 65100,
    routerId,
    neighbors: [{ address: torAddress, asn: 65000 }],
    networks: ['203.0.113.5/32'],
  });

async function torHasRoute(prefix: string, present: boolean) {
  return waitUntil(
    async () => {
      const route = await tor.vtysh.show(`show ip route ${prefix} json`);
      const has = route.ok && Object.keys(route.value as object).length > 0;
      return has === present
        ? { done: true, value: has }
        : { done: false, why: `tor1 has ${prefix}: ${has}` };
    },
    { timeoutMs: 20_000 },
  );
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'ferry-vtysh-test-'));
  fabric = await Fabric.create({ nodes: 1 });
  const [tor1] = fabric.tors;
  const node1 = fabric.node(1);
  tor = await fabric.startFrr(tor1, torFrrConfigForNodes(tor1, [node1]));
  node = await fabric.startFrr(node1, baseConfig(tor1.link.ipv4, node1.linkA.ipv4));
  expect(await torHasRoute('203.0.113.5/32', true)).toMatchObject({ ok: true });
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
  expect((await fabric?.destroy()) ?? []).toEqual([]);
});

describe('dryRun (vtysh -C -f), no daemons needed', () => {
  const offline = createVtysh();

  it('accepts a valid config', async () => {
    expect(await offline.dryRun(baseConfig('192.0.2.1', '192.0.2.11'))).toMatchObject({ ok: true });
  });

  it.each([
    ['router bgp 65100\n neighbor 192.0.2.1 remote-as abc\nexit\n', 2, 'neighbor 192.0.2.1 remote-as abc'],
    [
      'frr defaults datacenter\n!\nrouter bgp 65100\n bgp bogus-command 42\nexit\n',
      4,
      'bgp bogus-command 42',
    ],
  ])('refuses a syntax error with its line: %j', async (text, line, excerpt) => {
    const result = await offline.dryRun(text);
    expect(!result.ok && result.error).toMatchObject({ kind: 'syntax', line });
    expect(!result.ok && result.error.message).toContain(excerpt);
  });
});

describe('a running instance', () => {
  it('answers show commands as parsed JSON, one document per command', async () => {
    const one = await node.vtysh.show('show bgp summary json');
    expect(one.ok && parseBgpSummary(one.value).map((p) => p.state)).toEqual(['Established']);
    const two = await node.vtysh.showAll(['show bgp summary json', 'show bfd peers json']);
    expect(two.ok && two.value.length).toBe(2);
    expect(two.ok && Array.isArray(two.value[1])).toBe(true);
  });

  it('is reachable through its vty socket directory as well as its pathspace', async () => {
    const bySocket = createVtysh({ vtySocketDir: node.runDir, commandPrefix: utsNamespacePrefix(node.name) });
    const result = await bySocket.show('show bgp summary json');
    expect(result.ok && parseBgpSummary(result.value).length).toBe(1);
  });

  it('prints the running config without the banner and with its own hostname', async () => {
    const result = await node.vtysh.runningConfig();
    expect(result.ok && result.value).toMatch(/^!\nfrr version 8\.4/);
    expect(result.ok && result.value.match(/^hostname .*$/gm)).toEqual(['hostname node1']);
  });

  it('applies configure lines in one call and the ToR sees the new prefix', async () => {
    const result = await node.vtysh.configure([
      'router bgp 65100',
      'address-family ipv4 unicast',
      'network 203.0.113.6/32',
    ]);
    expect(result).toMatchObject({ ok: true });
    expect(await torHasRoute('203.0.113.6/32', true)).toMatchObject({ ok: true });
  });

  it('stops at the first line FRR refuses and reports its message', async () => {
    const result = await node.vtysh.configure([
      'router bgp 65100',
      'neighbor 192.0.2.50 route-map X out',
      'address-family ipv4 unicast',
      'network 203.0.113.7/32',
    ]);
    expect(!result.ok && result.error).toMatchObject({
      kind: 'rejected',
      message: '% Specify remote-as or peer-group commands first',
    });
    const running = await node.vtysh.runningConfig();
    expect(running.ok && running.value).not.toContain('203.0.113.7/32');
  });

  it('reports a missing daemon as not running', async () => {
    const nobody = createVtysh({ pathspace: `${fabric?.prefix ?? 'fxxxx'}-nosuch` });
    const result = await nobody.commands(['show bgp summary json']);
    expect(!result.ok && result.error.kind).toBe('not-running');
  });
});

describe('frrReload', () => {
  it('--test shows the diff and changes nothing; --reload applies it', async () => {
    const file = join(scratch, 'next.conf');
    const next = baseConfig('192.0.2.1', '192.0.2.11').replace(
      '  network 203.0.113.5/32\n',
      '  network 203.0.113.5/32\n  network 203.0.113.8/32\n',
    );
    await writeFile(file, next);
    const test = await node.vtysh.frrReload(file, 'test');
    expect(test.ok && test.value).toMatch(/Lines To Add[^]*network 203\.0\.113\.8\/32/);
    // 203.0.113.6 was added by hand above and is not in the file: reload deletes it
    expect(test.ok && test.value).toMatch(/Lines To Delete[^]*network 203\.0\.113\.6\/32/);
    expect(await torHasRoute('203.0.113.8/32', false)).toMatchObject({ ok: true });

    expect(await node.vtysh.frrReload(file, 'reload')).toMatchObject({ ok: true });
    expect(await torHasRoute('203.0.113.8/32', true)).toMatchObject({ ok: true });
    expect(await torHasRoute('203.0.113.6/32', false)).toMatchObject({ ok: true });
  });

  it('refuses a file with a syntax error as a whole', async () => {
    const file = join(scratch, 'broken.conf');
    const broken = baseConfig('192.0.2.1', '192.0.2.11').replace(
      '  network 203.0.113.5/32\n',
      '  network 203.0.113.9/32\n  bgp bogus-command 42\n',
    );
    await writeFile(file, broken);
    for (const mode of ['test', 'reload'] as const) {
      const result = await node.vtysh.frrReload(file, mode);
      expect(!result.ok && result.error.kind).toBe('syntax');
      expect(!result.ok && result.error.message).toContain('bgp bogus-command 42');
    }
    const running = await node.vtysh.runningConfig();
    expect(running.ok && running.value).not.toContain('203.0.113.9/32');
  });
});
