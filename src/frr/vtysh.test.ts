// vtysh and frr-reload.py replaced by small scripts that print what FRR 8.4 prints
// (docs/design.md §7.3): how outputs and exit codes become results. The real tools
// are exercised in test/frr/vtysh.test.ts.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVtysh, type VtyshOptions } from './vtysh.js';

const directory = mkdtempSync(join(tmpdir(), 'ferry-fake-vtysh-'));
let scripts = 0;
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function fakeTool(body: string): string {
  const file = join(directory, `tool-${scripts++}`);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

function fakeVtysh(body: string, options: VtyshOptions = {}) {
  return createVtysh({ pathspace: 'node1', ...options, vtyshPath: fakeTool(body) });
}

describe('createVtysh', () => {
  it('passes the location, the prefix and each command as its own -c', async () => {
    const vtysh = createVtysh({
      pathspace: 'node1',
      vtySocketDir: '/run/x',
      commandPrefix: ['env'],
      vtyshPath: fakeTool('printf "%s|" "$@"'),
    });
    const result = await vtysh.commands(['show version', 'show bgp summary']);
    expect(result.ok && result.value).toBe(
      '-N|node1|--vty_socket|/run/x|-c|show version|-c|show bgp summary|',
    );
    expect(result.ok && result.output.argv[0]).toBe('env');
  });

  it('sends configuration lines after configure terminal in one call, skipping blanks and !', async () => {
    const vtysh = fakeVtysh('printf "%s|" "$@"');
    const result = await vtysh.configure(['router bgp 65100', ' network 203.0.113.5/32', '!', '']);
    expect(result.ok && result.value).toBe(
      '-N|node1|-c|configure terminal|-c|router bgp 65100|-c| network 203.0.113.5/32|',
    );
  });

  it('returns the refusal FRR prints on stdout with rc 1', async () => {
    const vtysh = fakeVtysh("echo '% Specify remote-as or peer-group commands first'; exit 1");
    const result = await vtysh.configure(['router bgp 65100', 'neighbor 192.0.2.50 route-map X out']);
    expect(!result.ok && result.error).toMatchObject({
      kind: 'rejected',
      message: '% Specify remote-as or peer-group commands first',
      line: undefined,
    });
  });

  it.each([['Exiting: failed to connect to any daemons.'], ['bfdd is not running']])(
    'reports "%s" as FRR not running',
    async (stderr) => {
      const result = await fakeVtysh(`echo '${stderr}' >&2; exit 1`).show('show bfd peers json');
      expect(!result.ok && result.error).toMatchObject({ kind: 'not-running', message: stderr });
    },
  );

  it('parses one JSON document as a value and several as an array', async () => {
    const one = await fakeVtysh(`printf '{"a":1}\\n'`).show('show bgp summary json');
    expect(one.ok && one.value).toEqual({ a: 1 });
    const two = await fakeVtysh(`printf '{"a":1}\\n[\\n]\\n'`).show('show bgp summary json');
    expect(two.ok && two.value).toEqual([{ a: 1 }, []]);
    const all = await fakeVtysh(`printf '{"a":1}\\n{"b":2}\\n'`).showAll(['show a json', 'show b json']);
    expect(all.ok && all.value).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it.each([
    ['% BGP instance not found', /not JSON/],
    ['', /no JSON/],
  ])('reports %j from a show command as invalid output', async (stdout, message) => {
    const result = await fakeVtysh(`printf '%s' '${stdout}'`).show('show bgp summary json');
    expect(!result.ok && result.error.kind).toBe('invalid-output');
    expect(!result.ok && result.error.message).toMatch(message);
  });

  it('dry-runs the text from a temporary file and reports the failing line', async () => {
    const vtysh = fakeVtysh(
      [
        '[ "$3" = "-C" ] && [ "$4" = "-f" ] || exit 9',
        'grep -q "bgp bogus-command 42" "$5" || exit 0',
        `echo "% Can't open configuration file /etc/frr/node1/vtysh.conf due to 'No such file or directory'." >&2`,
        "echo 'line 35: % Unknown command[25]:  bgp bogus-command 42' >&2",
        'exit 2',
      ].join('\n'),
    );
    expect((await vtysh.dryRun('router bgp 65100\n')).ok).toBe(true);
    const bad = await vtysh.dryRun('router bgp 65100\n bgp bogus-command 42\n');
    expect(!bad.ok && bad.error).toMatchObject({
      kind: 'syntax',
      line: 35,
      message: 'line 35: % Unknown command[25]:  bgp bogus-command 42',
    });
  });

  it('strips the banner from show running-config', async () => {
    const vtysh = fakeVtysh(
      `printf 'Building configuration...\\n\\nCurrent configuration:\\n!\\nfrr version 8.4.4\\n'`,
    );
    const result = await vtysh.runningConfig();
    expect(result.ok && result.value).toBe('!\nfrr version 8.4.4\n');
  });

  it('reports a command that hangs as a timeout', async () => {
    const result = await fakeVtysh('sleep 5', { timeoutMs: 200 }).commands(['show version']);
    expect(!result.ok && result.error.kind).toBe('timeout');
  });

  it('reports a missing vtysh as a spawn error', async () => {
    const result = await createVtysh({ vtyshPath: join(directory, 'no-such-vtysh') }).commands([
      'show version',
    ]);
    expect(!result.ok && result.error.kind).toBe('spawn');
    expect(!result.ok && result.error.message).toMatch(/ENOENT/);
  });
});

describe('frrReload', () => {
  it('uses --confdir and --vty_socket of the pathspace, never --pathspace', async () => {
    const vtysh = createVtysh({ pathspace: 'node1', frrReloadPath: fakeTool('printf "%s|" "$@"') });
    const result = await vtysh.frrReload('/tmp/new.conf', 'test');
    expect(result.ok && result.value).toBe(
      '--test|--stdout|--confdir|/etc/frr/node1|--vty_socket|/var/run/frr/node1|/tmp/new.conf|',
    );
  });

  it('passes the sidecar socket directory, config directory and run directory', async () => {
    const vtysh = createVtysh({
      vtySocketDir: '/var/run/frr',
      configDir: '/etc/frr',
      reloadRunDir: '/tmp/ferry',
      frrReloadPath: fakeTool('printf "%s|" "$@"'),
    });
    const result = await vtysh.frrReload('/etc/frr/frr.conf', 'reload');
    expect(result.ok && result.value).toBe(
      '--reload|--stdout|--confdir|/etc/frr|--vty_socket|/var/run/frr|--rundir|/tmp/ferry|/etc/frr/frr.conf|',
    );
  });

  it('reports a file vtysh cannot parse as a syntax error with its line', async () => {
    const frrReload = fakeTool(
      [
        "echo 'no router bgp 65100'",
        "echo 'ERROR: vtysh failed to process new configuration: vtysh (mark file) exited with status 2:' >&2",
        `echo "b'line 35: % Unknown command:  neighbor 192.0.2.1 remote-as abc\\\\n\\\\n'" >&2`,
        'exit 1',
      ].join('\n'),
    );
    const result = await createVtysh({ pathspace: 'node2', frrReloadPath: frrReload }).frrReload(
      '/tmp/x',
      'test',
    );
    expect(!result.ok && result.error.kind).toBe('syntax');
    expect(!result.ok && result.error.line).toBe(35);
    expect(!result.ok && result.error.message).toMatch(/failed to process new configuration/);
  });

  it('reports a partially applied reload as rejected with FRR messages', async () => {
    const frrReload = fakeTool(
      [
        "echo '% Specify remote-as or peer-group commands first'",
        "echo 'line 22: Failure to communicate[13] to bgpd, line:   neighbor 192.0.2.50 route-map X out' >&2",
        "echo 'WARNING: frr-reload.py failed due to vtysh (exec file) exited with status 13' >&2",
        'exit 1',
      ].join('\n'),
    );
    const result = await createVtysh({ pathspace: 'node2', frrReloadPath: frrReload }).frrReload(
      '/tmp/x',
      'reload',
    );
    expect(!result.ok && result.error).toMatchObject({ kind: 'rejected', line: 22 });
    expect(!result.ok && result.error.message).toMatch(
      /^% Specify remote-as[^]*WARNING: frr-reload.py failed/,
    );
  });
});
