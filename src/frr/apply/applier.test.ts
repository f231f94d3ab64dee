import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApplier, type Applier } from './applier.js';
import { createFakeFrr, type FakeFrr } from '../../../test/support/fake-frr.js';

function config(networks: string[], extra = ''): string {
  return `bgp large-community-list standard ferry-c-1 seq 5 permit 4294967295:0:1
!
route-map ferry-c-1 permit 10
 set large-community 4294967295:0:1
exit
!
route-map 192.0.2.1-out permit 10
 match large-community ferry-c-1
 set large-comm-list ferry-c-1 delete
exit
!
router bgp 65100
 neighbor 192.0.2.1 remote-as 65000
 neighbor 192.0.2.1 password hunter2
${extra} !
 address-family ipv4 unicast
${networks.map((n) => `  network ${n} route-map ferry-c-1\n`).join('')}  neighbor 192.0.2.1 activate
 exit-address-family
exit
!
`;
}

const ONE = config(['203.0.113.5/32']);
const TWO = config(['203.0.113.5/32', '203.0.113.6/32']);

describe('applier', () => {
  let directory: string;
  let frr: FakeFrr;
  let applier: Applier;
  let configFile: string;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'ferry-applier-'));
    configFile = join(directory, 'frr.conf');
    frr = createFakeFrr();
    applier = createApplier({ vtysh: frr, configFile });
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  test('the first apply goes through frr-reload.py and keeps the lines ferry does not manage', async () => {
    const result = await applier.apply(ONE);
    expect(result).toMatchObject({ kind: 'applied', method: 'reload', reason: 'start' });
    const file = await readFile(configFile, 'utf8');
    expect(file.startsWith('frr version 8.4.4\nfrr defaults traditional\nno ip forwarding\n!\n')).toBe(true);
    expect(file).toContain(ONE);
    expect(frr.callsOf('frrReload')).toHaveLength(1);
    expect(frr.callsOf('dryRun')[0]?.argument).toBe(ONE);
  });

  test('the same config again with FRR unchanged does nothing but read the running config', async () => {
    await applier.apply(ONE);
    frr.calls.length = 0;
    expect(await applier.apply(ONE)).toMatchObject({ kind: 'noop' });
    expect(frr.calls.map((c) => c.method)).toEqual(['runningConfig']);
  });

  test('one added IP: the delta is checked, then one vtysh call applies it', async () => {
    await applier.apply(ONE);
    frr.calls.length = 0;
    expect(await applier.apply(TWO)).toMatchObject({ kind: 'applied', method: 'incremental' });
    expect(frr.calls.map((c) => c.method)).toEqual(['dryRun', 'commands']);
    expect(frr.callsOf('dryRun')[0]?.argument).toBe(
      'router bgp 65100\n address-family ipv4 unicast\n  network 203.0.113.6/32 route-map ferry-c-1\n exit-address-family\nexit\n',
    );
    expect(frr.callsOf('commands')[0]?.argument.split('\n').at(-1)).toBe('end');
    // frr.conf follows, so a restarted daemon boots with the new IP.
    expect(await readFile(configFile, 'utf8')).toContain('network 203.0.113.6/32 route-map ferry-c-1');
    // The predicted running config is what FRR prints: the next check finds nothing to do.
    frr.calls.length = 0;
    expect(await applier.apply(TWO)).toMatchObject({ kind: 'noop' });
  });

  test('a precheck runs the parser ahead; the apply that follows does not run it again', async () => {
    await applier.apply(ONE);
    await applier.precheck(TWO);
    frr.calls.length = 0;
    expect(await applier.apply(TWO)).toMatchObject({ kind: 'applied', method: 'incremental' });
    expect(frr.calls.map((c) => c.method)).toEqual(['commands']);
  });

  test('drift (someone removed a network by hand) is repaired with frr-reload.py', async () => {
    await applier.apply(TWO);
    frr.running = frr.running.replace(/ {2}network 203\.0\.113\.6\/32.*\n/, '');
    expect(await applier.apply(TWO)).toMatchObject({ kind: 'applied', method: 'reload', reason: 'drift' });
    expect(frr.running).toContain('network 203.0.113.6/32');
  });

  test('drift before an incremental apply is repaired at the next check', async () => {
    await applier.apply(ONE);
    frr.running = frr.running.replace(
      ' neighbor 192.0.2.1 remote-as 65000\n',
      ' neighbor 192.0.2.1 remote-as 65000\n neighbor 192.0.2.99 remote-as 1\n',
    );
    expect(await applier.apply(TWO)).toMatchObject({ kind: 'applied', method: 'incremental' });
    expect(await applier.apply(TWO)).toMatchObject({ kind: 'applied', method: 'reload', reason: 'drift' });
    expect(frr.running).not.toContain('192.0.2.99');
  });

  test('a network line added by someone else while frr-reload.py runs is never taken for the desired config', async () => {
    // e.g. a vtysh left running by a speaker killed with SIGKILL, finishing an older change
    applier = createApplier({ vtysh: frr, configFile, reloadRetryMs: 1 });
    const stale = '  network 203.0.113.9/32 route-map ferry-c-1\n';
    let changes = 0;
    frr.afterReload = () => {
      if (changes-- <= 0) return;
      frr.running = frr.running.replace(
        '  neighbor 192.0.2.1 activate\n',
        `${stale}  neighbor 192.0.2.1 activate\n`,
      );
    };
    // once: frr-reload.py runs again and only then is FRR running the desired config
    changes = 1;
    expect(await applier.apply(ONE)).toMatchObject({ kind: 'applied', method: 'reload', reason: 'start' });
    expect(frr.callsOf('frrReload')).toHaveLength(2);
    expect(frr.running).not.toContain('203.0.113.9');
    expect(await applier.apply(ONE)).toMatchObject({ kind: 'noop' });
    // for good: a failure naming the line, nothing remembered, the next apply starts over
    applier = createApplier({ vtysh: frr, configFile, reloadRetryMs: 1 });
    changes = 3;
    expect(await applier.apply(ONE)).toMatchObject({
      kind: 'failed',
      method: 'reload',
      error: { kind: 'drift', message: expect.stringContaining('network 203.0.113.9/32') },
    });
    expect(applier.lastApplied()).toBeUndefined();
    expect(await applier.apply(ONE)).toMatchObject({ kind: 'applied', method: 'reload', reason: 'start' });
    expect(frr.running).not.toContain('203.0.113.9');
  });

  test('a verifying apply of a changed config finds a stale network line first and reloads', async () => {
    await applier.apply(ONE);
    frr.running = frr.running.replace(
      '  neighbor 192.0.2.1 activate\n',
      '  network 203.0.113.9/32 route-map ferry-c-1\n  neighbor 192.0.2.1 activate\n',
    );
    expect(await applier.apply(TWO, { verify: true })).toMatchObject({
      kind: 'applied',
      method: 'reload',
      reason: 'drift',
      drift: expect.stringContaining('network 203.0.113.9/32'),
    });
    expect(frr.running).not.toContain('203.0.113.9');
    expect(frr.running).toContain('network 203.0.113.6/32');
    // without anything to repair, a verifying apply is the usual incremental one after one read
    frr.calls.length = 0;
    expect(await applier.apply(ONE, { verify: true })).toMatchObject({
      kind: 'applied',
      method: 'incremental',
    });
    expect(frr.calls.map((c) => c.method)).toEqual(['runningConfig', 'dryRun', 'commands']);
  });

  test('with read-back, drift is found and repaired by the incremental apply itself', async () => {
    applier = createApplier({ vtysh: frr, configFile, readBackAfterIncremental: true });
    await applier.apply(ONE);
    frr.running = frr.running.replace(
      ' neighbor 192.0.2.1 remote-as 65000\n',
      ' neighbor 192.0.2.1 remote-as 65000\n neighbor 192.0.2.99 remote-as 1\n',
    );
    expect(await applier.apply(TWO)).toMatchObject({ kind: 'applied', method: 'reload', reason: 'drift' });
    expect(frr.callsOf('commands')).toHaveLength(1);
    expect(frr.running).not.toContain('192.0.2.99');
  });

  test('a config FRR refuses is never applied; the error names the line, without the password', async () => {
    await applier.apply(ONE);
    const before = frr.running;
    frr.rejectSyntax = 'bgp bogus-command 42';
    const result = await applier.apply(
      config(['203.0.113.5/32'], ' bgp bogus-command 42\n neighbor 192.0.2.1 password sesame\n'),
    );
    expect(result).toMatchObject({
      kind: 'invalid',
      error: { kind: 'syntax', lineText: 'bgp bogus-command 42' },
    });
    if (result.kind === 'invalid') {
      expect(result.error.line).toBeGreaterThan(0);
      expect(JSON.stringify(result)).not.toMatch(/hunter2|sesame/);
    }
    expect(frr.running).toBe(before);
    expect(frr.callsOf('frrReload')).toHaveLength(1);
  });

  test('an incremental line FRR refuses points at the line of the desired config', async () => {
    await applier.apply(ONE);
    frr.rejectSyntax = 'network 203.0.113.300/32 route-map ferry-c-1';
    const desired = config(['203.0.113.5/32', '203.0.113.300/32']);
    const result = await applier.apply(desired);
    expect(result).toMatchObject({
      kind: 'invalid',
      error: { lineText: 'network 203.0.113.300/32 route-map ferry-c-1' },
    });
    if (result.kind === 'invalid') {
      expect(desired.split('\n')[(result.error.line ?? 0) - 1]?.trim()).toBe(
        'network 203.0.113.300/32 route-map ferry-c-1',
      );
    }
    expect(frr.callsOf('commands')).toHaveLength(0);
  });

  test('a command refused half way through is rolled back to the last good config', async () => {
    await applier.apply(ONE);
    const good = frr.running;
    const desired = config(['203.0.113.5/32', '203.0.113.6/32', '203.0.113.7/32']);
    frr.rejectOnApply = 'network 203.0.113.7/32 route-map ferry-c-1';
    const result = await applier.apply(desired);
    expect(result).toMatchObject({ kind: 'failed', method: 'incremental', rolledBack: true });
    expect(frr.running).toBe(good);
    expect(await readFile(configFile, 'utf8')).not.toContain('203.0.113.6');
    // The last good config is still the base for the next change.
    frr.rejectOnApply = undefined;
    expect(await applier.apply(TWO)).toMatchObject({ kind: 'applied', method: 'incremental' });
  });

  test('a reload FRR applies only partially is rolled back too', async () => {
    await applier.apply(ONE);
    const good = frr.running;
    frr.rejectOnApply = 'neighbor 192.0.2.50 remote-as 65000';
    const result = await applier.apply(
      config(['203.0.113.5/32', '203.0.113.6/32'], ' neighbor 192.0.2.50 remote-as 65000\n'),
    );
    expect(result).toMatchObject({ kind: 'failed', method: 'reload', rolledBack: true });
    expect(frr.running).toBe(good);
  });

  test('applies never overlap: a second call waits for the first', async () => {
    const [first, second] = await Promise.all([applier.apply(ONE), applier.apply(TWO)]);
    expect(first).toMatchObject({ kind: 'applied', method: 'reload' });
    expect(second).toMatchObject({ kind: 'applied', method: 'incremental' });
  });
});
