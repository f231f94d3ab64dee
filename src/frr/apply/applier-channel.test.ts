// The applier with a bgpd vty channel: network-line churn goes over the channel (no vtysh process,
// no separate parser run), everything else stays on vtysh, and any channel failure falls back to the
// vtysh path, after frr-reload.py when a network line may have been applied.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VtyChannel, VtyChannelError, VtyChannelResult } from '../vty-channel.js';
import { createApplier, isNetworkChurn, type Applier } from './applier.js';
import { createFakeFrr, type FakeFrr } from '../../../test/support/fake-frr.js';

/** ferry-shaped config: class ferry-c-1, and with `secondClass` a class ferry-c-2 for 203.0.113.9. */
function config(networks: string[], secondClass = false): string {
  const second = secondClass
    ? `bgp large-community-list standard ferry-c-2 seq 5 permit 4294967295:0:2
!
route-map ferry-c-2 permit 10
 set large-community 4294967295:0:2
exit
!
`
    : '';
  return `bgp large-community-list standard ferry-c-1 seq 5 permit 4294967295:0:1
!
route-map ferry-c-1 permit 10
 set large-community 4294967295:0:1
exit
!
${second}router bgp 65100
 neighbor 192.0.2.1 remote-as 65000
 !
 address-family ipv4 unicast
${networks.map((n) => `  network ${n} route-map ferry-c-1\n`).join('')}${secondClass ? '  network 203.0.113.9/32 route-map ferry-c-2\n' : ''}  neighbor 192.0.2.1 activate
 exit-address-family
exit
!
`;
}

const ONE = config(['203.0.113.5/32']);
const TWO = config(['203.0.113.5/32', '203.0.113.6/32']);

/**
 * A channel in front of the fake FRR: commands change its running config like vtysh's would, but are
 * recorded here (not as vtysh calls). `failure` scripts what goes wrong at which command.
 */
interface FakeChannel extends VtyChannel {
  readonly batches: string[][];
  failure: { at: string; kind: VtyChannelError['kind']; message: string; applied: boolean } | undefined;
}

function fakeChannel(frr: FakeFrr): FakeChannel {
  const channel: FakeChannel = {
    socketPath: '/fake/bgpd.vty',
    batches: [],
    failure: undefined,
    async run(commands): Promise<VtyChannelResult> {
      channel.batches.push([...commands]);
      const failure = channel.failure;
      const index = failure === undefined ? -1 : commands.indexOf(failure.at);
      const applied = index < 0 ? commands : commands.slice(0, failure?.applied === true ? index + 1 : index);
      await frr.commands(applied);
      frr.calls.pop();
      if (failure === undefined || index < 0) {
        return { ok: true, value: commands.map((command) => ({ command, output: '' })) };
      }
      return {
        ok: false,
        error: {
          kind: failure.kind,
          message: failure.message,
          command: failure.at,
          index,
          status: failure.kind === 'rejected' ? 13 : undefined,
          completed: commands.slice(0, index).map((command) => ({ command, output: '' })),
        },
      };
    },
    configure: (lines) => channel.run(['configure terminal', ...lines, 'end']),
    connected: () => true,
    close: () => undefined,
  };
  return channel;
}

describe('applier with a bgpd vty channel', () => {
  let directory: string;
  let frr: FakeFrr;
  let channel: FakeChannel;
  let applier: Applier;
  let configFile: string;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'ferry-applier-channel-'));
    configFile = join(directory, 'frr.conf');
    frr = createFakeFrr();
    channel = fakeChannel(frr);
    applier = createApplier({ vtysh: frr, configFile, bgpdChannel: channel });
    await applier.apply(ONE);
    frr.calls.length = 0;
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  test('an added and a removed IP: the plan commands over the channel, no vtysh at all', async () => {
    expect(await applier.apply(TWO)).toMatchObject({ kind: 'applied', method: 'channel', commandCount: 7 });
    expect(channel.batches).toEqual([
      [
        'configure terminal',
        'router bgp 65100',
        'address-family ipv4 unicast',
        'network 203.0.113.6/32 route-map ferry-c-1',
        'exit-address-family',
        'exit',
        'end',
      ],
    ]);
    expect(frr.calls).toEqual([]);
    expect(frr.running).toContain('network 203.0.113.6/32 route-map ferry-c-1');
    expect(await readFile(configFile, 'utf8')).toContain(TWO);

    expect(await applier.apply(ONE)).toMatchObject({ kind: 'applied', method: 'channel' });
    expect(channel.batches[1]).toContain('no network 203.0.113.6/32 route-map ferry-c-1');
    expect(frr.running).not.toContain('203.0.113.6');
    // The prediction holds: FRR prints what the applier expects.
    expect(await applier.apply(ONE)).toMatchObject({ kind: 'noop' });
  });

  test('a burst of hundreds of network lines: one vtysh -f of the delta, not one round trip per line', async () => {
    const many = Array.from({ length: 300 }, (_, i) => `198.18.${Math.floor(i / 250)}.${(i % 250) + 1}/32`);
    const burst = config(['203.0.113.5/32', ...many]);
    expect(await applier.apply(burst)).toMatchObject({ kind: 'applied', method: 'incremental' });
    expect(channel.batches).toEqual([]);
    expect(frr.callsOf('applyFile')).toHaveLength(1);
    expect(frr.callsOf('commands')).toEqual([]);
    expect(frr.running).toContain('network 198.18.1.50/32 route-map ferry-c-1');
    // back to small changes: the channel again
    expect(await applier.apply(config(['203.0.113.5/32', ...many.slice(1)]))).toMatchObject({
      method: 'channel',
    });
  });

  test('precheck runs no parser for a channel change, but does for the rest', async () => {
    await applier.precheck(TWO);
    expect(frr.callsOf('dryRun')).toEqual([]);
    await applier.precheck(config(['203.0.113.5/32'], true));
    expect(frr.callsOf('dryRun')).toHaveLength(1);
  });

  test('route-map and list edits stay on vtysh', async () => {
    const other = config(['203.0.113.5/32'], true);
    expect(await applier.apply(other)).toMatchObject({ kind: 'applied', method: 'incremental' });
    expect(channel.batches).toEqual([]);
    expect(frr.callsOf('commands')).toHaveLength(1);
  });

  test('with readBackAfterIncremental the channel is not used', async () => {
    const readBack = createApplier({
      vtysh: frr,
      configFile,
      bgpdChannel: channel,
      readBackAfterIncremental: true,
    });
    await readBack.apply(ONE);
    expect(await readBack.apply(TWO)).toMatchObject({ kind: 'applied', method: 'incremental' });
    expect(channel.batches).toEqual([]);
  });

  test('channel down before any network line: straight to the vtysh path, no rollback', async () => {
    channel.failure = {
      at: 'configure terminal',
      kind: 'not-running',
      message: 'cannot connect',
      applied: false,
    };
    const result = await applier.apply(TWO);
    expect(result).toMatchObject({
      kind: 'applied',
      method: 'incremental',
      reason: 'incremental (vty channel: cannot connect)',
    });
    expect(frr.callsOf('frrReload')).toEqual([]);
    expect(frr.callsOf('dryRun')).toHaveLength(1);
    expect(frr.callsOf('commands')).toHaveLength(1);
    expect(frr.running).toContain('network 203.0.113.6/32 route-map ferry-c-1');
  });

  test('bgpd refuses a network line after another was applied: rollback, then the vtysh path decides', async () => {
    const three = config(['203.0.113.5/32', '203.0.113.6/32', '203.0.113.7/32']);
    channel.failure = {
      at: 'network 203.0.113.7/32 route-map ferry-c-1',
      kind: 'rejected',
      message: '% refused',
      applied: false,
    };
    // FRR's parser refuses the same line on the vtysh path: invalid, and the last good config runs.
    frr.rejectSyntax = 'network 203.0.113.7/32 route-map ferry-c-1';
    const result = await applier.apply(three);
    expect(result).toMatchObject({ kind: 'invalid', error: { kind: 'syntax' } });
    expect(frr.callsOf('frrReload')).toHaveLength(1);
    expect(frr.running).not.toContain('203.0.113.6');
    expect(applier.lastApplied()).toBe(ONE);
  });

  test('a timeout on a network line: its outcome is unknown, so rollback before the vtysh retry', async () => {
    channel.failure = {
      at: 'network 203.0.113.6/32 route-map ferry-c-1',
      kind: 'timeout',
      message: 'no answer',
      applied: true,
    };
    const result = await applier.apply(TWO);
    expect(result).toMatchObject({ kind: 'applied', method: 'incremental' });
    expect(frr.callsOf('frrReload')).toHaveLength(1);
    expect(frr.running).toContain('network 203.0.113.6/32 route-map ferry-c-1');
    expect(await applier.apply(TWO)).toMatchObject({ kind: 'noop' });
  });

  test('the rollback itself fails: failed, not rolled back', async () => {
    channel.failure = {
      at: 'network 203.0.113.6/32 route-map ferry-c-1',
      kind: 'disconnected',
      message: 'connection closed by the daemon',
      applied: true,
    };
    frr.rejectOnApply = 'neighbor 192.0.2.1 remote-as 65000';
    const result = await applier.apply(TWO);
    expect(result).toMatchObject({
      kind: 'failed',
      method: 'channel',
      rolledBack: false,
      error: { kind: 'disconnected', lineText: 'network 203.0.113.6/32 route-map ferry-c-1' },
    });
  });
});

describe('isNetworkChurn', () => {
  const path = ['router bgp 65100', 'address-family ipv4 unicast'];
  test('network lines of one family only', () => {
    expect(isNetworkChurn([])).toBe(false);
    expect(
      isNetworkChurn([
        { kind: 'add-line', path, line: 'network 198.18.0.1/32 route-map ferry-c-1' },
        { kind: 'remove-line', path, line: 'network 198.18.0.2/32 route-map ferry-c-1' },
        {
          kind: 'replace-line',
          path,
          old: 'network 198.18.0.3/32 route-map ferry-c-1',
          line: 'network 198.18.0.3/32 route-map ferry-c-2',
        },
      ]),
    ).toBe(true);
    expect(
      isNetworkChurn([
        { kind: 'add-line', path, line: 'network 198.18.0.1/32 route-map ferry-c-1' },
        {
          kind: 'add-line',
          path: ['router bgp 65100', 'address-family ipv6 unicast'],
          line: 'network 2001:db8::1/128 route-map ferry-c-1',
        },
      ]),
    ).toBe(false);
    expect(
      isNetworkChurn([
        { kind: 'add-line', path: ['route-map ferry-c-1 permit 10'], line: 'set large-community 1:2:3' },
      ]),
    ).toBe(false);
    expect(isNetworkChurn([{ kind: 'add-line', path, line: 'neighbor 192.0.2.1 activate' }])).toBe(false);
  });
});
