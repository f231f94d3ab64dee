import type { CommandOutput, FrrResult, Vtysh } from '../frr/vtysh.js';
import { fixtureText } from '../frr/parse/testdata/fixtures.js';
import { peer } from '../../test/support/builders.js';
import { observeFrr } from './frr-observer.js';

const NEIGHBORS = fixtureText('speaker-show-bgp-vrf-all-neighbors-established.json');
const ADVERTISED = fixtureText(
  'speaker-show-bgp-ipv4-unicast-neighbors-192.0.2.1-advertised-routes-established.json',
);
const PREFIX = fixtureText('speaker-show-bgp-ipv4-unicast-203.0.113.5_32-established.json');

const output = (stdout: string): CommandOutput => ({
  argv: [],
  exitCode: 0,
  stdout,
  stderr: '',
  durationMs: 1,
  timedOut: false,
});

/** A vtysh answering from fixtures; with `bfdd: false` any BFD command fails as FRR's does. */
function fakeVtysh(bfdd: boolean): Vtysh {
  const answer = (command: string): string => {
    if (command.includes('neighbors json')) return NEIGHBORS;
    if (command.includes('advertised-routes')) return ADVERTISED;
    if (command.startsWith('show bgp ipv4 unicast 203.0.113.5/32')) return PREFIX;
    return '{}';
  };
  const fake: Pick<Vtysh, 'showAll' | 'commands'> = {
    async showAll(commands): Promise<FrrResult<unknown[]>> {
      if (!bfdd && commands.some((c) => c.startsWith('show bfd')))
        return {
          ok: false,
          error: { kind: 'not-running', message: 'bfdd is not running', line: undefined, output: output('') },
        };
      return { ok: true, value: commands.map((c) => JSON.parse(answer(c)) as unknown), output: output('') };
    },
    async commands(commands): Promise<FrrResult<string>> {
      const text = commands.map(answer).join('\n');
      return { ok: true, value: text, output: output(text) };
    },
  };
  // the observer calls these two only
  return fake as Vtysh;
}

describe('reading what FRR does', () => {
  test.each([true, false])('what bgpd advertises is read with bfdd running: %s', async (bfdd) => {
    const observed = await observeFrr(fakeVtysh(bfdd), [peer('tor1', '192.0.2.1')], 'all');
    expect(observed.ok).toBe(true);
    if (!observed.ok) return;
    expect([...(observed.value.advertised?.get('192.0.2.1') ?? [])]).toEqual(['203.0.113.5/32']);
    expect(observed.value.bgp.length).toBeGreaterThan(0);
  });

  test('one prefix read alone says which neighbors of its family get it', async () => {
    const observed = await observeFrr(
      fakeVtysh(true),
      [peer('tor1', '192.0.2.1'), peer('tor2', '198.51.100.1'), peer('v6', '2001:db8::1')],
      ['203.0.113.5/32'],
    );
    expect(observed.ok && observed.value.advertised).toBeUndefined();
    expect(observed.ok && observed.value.prefixes).toEqual([
      {
        prefix: '203.0.113.5/32',
        scope: ['192.0.2.1', '198.51.100.1'],
        to: new Set(['192.0.2.1', '198.51.100.1']),
      },
    ]);
  });
});
