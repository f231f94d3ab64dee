// The vty protocol against a fake daemon on a unix socket: framing (output + 00 00 00 <status>),
// status codes, replies split over many reads, connection errors, timeouts and reconnects.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  commandProblem,
  createVtyChannel,
  decodeReply,
  vtySocketPath,
  type VtyChannel,
} from './vty-channel.js';

/** What the fake daemon does with one command: answer (maybe in pieces), stay silent, or hang up. */
type Behaviour =
  | { readonly reply: string; readonly status?: number; readonly chunkSize?: number }
  | { readonly raw: Buffer }
  | 'silent'
  | 'hang-up';

interface FakeDaemon {
  readonly path: string;
  /** every command received, per connection */
  readonly sessions: string[][];
  readonly sockets: Socket[];
  close(): Promise<void>;
}

const TRAILER = (status: number) => Buffer.from([0, 0, 0, status]);

async function startDaemon(path: string, behave: (command: string) => Behaviour): Promise<FakeDaemon> {
  const sessions: string[][] = [];
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => {
    const received: string[] = [];
    sessions.push(received);
    sockets.push(socket);
    let pending = Buffer.alloc(0);
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (let nul = pending.indexOf(0); nul >= 0; nul = pending.indexOf(0)) {
        const command = pending.subarray(0, nul).toString();
        pending = pending.subarray(nul + 1);
        received.push(command);
        const behaviour = behave(command);
        if (behaviour === 'silent') continue;
        if (behaviour === 'hang-up') {
          socket.destroy();
          return;
        }
        const bytes =
          'raw' in behaviour
            ? behaviour.raw
            : Buffer.concat([Buffer.from(behaviour.reply), TRAILER(behaviour.status ?? 0)]);
        const size = 'raw' in behaviour ? bytes.length : (behaviour.chunkSize ?? bytes.length);
        // Separate writes a little apart, so the client sees separate reads.
        void (async () => {
          for (let at = 0; at < bytes.length; at += size) {
            socket.write(bytes.subarray(at, at + size));
            if (size < bytes.length) await new Promise((resolve) => setTimeout(resolve, 1));
          }
        })();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    path,
    sessions,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** bgpd-like: `enable`, `configure terminal`, `end` succeed; `boom` is refused with a message. */
const bgpdLike = (command: string): Behaviour => {
  if (command === 'boom') return { reply: '% Specify remote-as or peer-group commands first\n', status: 13 };
  if (command === 'mystery') return { reply: '', status: 2 };
  if (command.startsWith('show')) return { reply: `output of ${command}\n` };
  return { reply: '' };
};

describe('decodeReply', () => {
  test('output up to the trailer, the status byte, and what follows', () => {
    const bytes = Buffer.concat([Buffer.from('hello\n'), TRAILER(13), Buffer.from('x')]);
    const decoded = decodeReply(bytes);
    expect(decoded).toMatchObject({ kind: 'reply', output: 'hello\n', status: 13 });
    expect(decoded.kind === 'reply' && decoded.rest.toString()).toBe('x');
  });

  test('incomplete until all four trailer bytes are there', () => {
    const full = Buffer.concat([Buffer.from('out'), TRAILER(0)]);
    for (let length = 0; length < full.length; length++) {
      expect(decodeReply(full.subarray(0, length))).toEqual({ kind: 'incomplete' });
    }
    expect(decodeReply(full)).toMatchObject({ kind: 'reply', output: 'out', status: 0 });
  });

  test('a NUL not followed by two more is not the protocol', () => {
    expect(decodeReply(Buffer.from([65, 0, 66, 0, 0]))).toMatchObject({ kind: 'malformed' });
  });

  test('output is UTF-8 text', () => {
    const text = Buffer.from('é\n');
    const decoded = decodeReply(Buffer.concat([text, TRAILER(0)]));
    expect(decoded).toMatchObject({ kind: 'reply', output: 'é\n' });
  });
});

describe('commandProblem', () => {
  test('one line of less than 4096 bytes travels; NUL, line breaks and longer ones do not', () => {
    expect(commandProblem('network 198.18.0.1/32 route-map ferry-c-1')).toBeUndefined();
    expect(commandProblem('network 198.18.0.1/32\0no router bgp')).toBeDefined();
    expect(commandProblem('a\nb')).toBeDefined();
    expect(commandProblem('a\rb')).toBeDefined();
    expect(commandProblem('x'.repeat(4094))).toBeUndefined();
    expect(commandProblem('x'.repeat(4095))).toBeDefined();
  });
});

describe('createVtyChannel against a fake daemon', () => {
  let directory: string;
  let daemon: FakeDaemon | undefined;
  let channel: VtyChannel | undefined;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'ferry-vty-'));
  });

  afterEach(async () => {
    channel?.close();
    channel = undefined;
    await daemon?.close();
    daemon = undefined;
    await rm(directory, { recursive: true, force: true });
  });

  const start = async (behave: (command: string) => Behaviour = bgpdLike, timeouts = {}) => {
    daemon = await startDaemon(vtySocketPath(directory, 'bgpd'), behave);
    channel = createVtyChannel({ socketPath: daemon.path, ...timeouts });
    return { daemon, channel };
  };

  test('vtySocketPath names <dir>/<daemon>.vty', () => {
    expect(vtySocketPath('/var/run/frr/node1', 'bgpd')).toBe('/var/run/frr/node1/bgpd.vty');
  });

  test('enables once per connection, then runs each command and returns its output', async () => {
    const { daemon, channel } = await start();
    const first = await channel.run(['show version', 'show bgp summary']);
    expect(first).toEqual({
      ok: true,
      value: [
        { command: 'show version', output: 'output of show version\n' },
        { command: 'show bgp summary', output: 'output of show bgp summary\n' },
      ],
    });
    const second = await channel.configure(['router bgp 65100', 'network 198.18.0.1/32']);
    expect(second.ok).toBe(true);
    expect(daemon.sessions).toEqual([
      [
        'enable',
        'show version',
        'show bgp summary',
        'configure terminal',
        'router bgp 65100',
        'network 198.18.0.1/32',
        'end',
      ],
    ]);
    expect(channel.connected()).toBe(true);
  });

  test('stops at the first refused command with FRR message and status; the next batch gets a fresh vty', async () => {
    const { daemon, channel } = await start();
    const result = await channel.run([
      'configure terminal',
      'router bgp 65100',
      'boom',
      'network 198.18.0.1/32',
    ]);
    expect(result).toEqual({
      ok: false,
      error: {
        kind: 'rejected',
        message: '% Specify remote-as or peer-group commands first',
        command: 'boom',
        index: 2,
        status: 13,
        completed: [
          { command: 'configure terminal', output: '' },
          { command: 'router bgp 65100', output: '' },
        ],
      },
    });
    // The later command was never sent; the refused vty (left in config mode) is dropped.
    expect(await channel.run(['show version'])).toMatchObject({ ok: true });
    expect(daemon.sessions).toEqual([
      ['enable', 'configure terminal', 'router bgp 65100', 'boom'],
      ['enable', 'show version'],
    ]);
  });

  test('a refusal without output gets a message naming the status and the command', async () => {
    const { channel } = await start();
    const result = await channel.run(['mystery']);
    expect(result).toMatchObject({
      ok: false,
      error: { kind: 'rejected', status: 2, message: '% unknown command (status 2): mystery' },
    });
  });

  test('replies arriving a byte at a time', async () => {
    const long = `${'line of output\n'.repeat(500)}`;
    const { channel } = await start((command) =>
      // One byte per read splits the two bytes of 'é' across reads: decoded once, whole.
      command === 'show long' ? { reply: long, chunkSize: 997 } : { reply: 'ok é\n', chunkSize: 1 },
    );
    expect(await channel.run(['show short', 'show long'])).toEqual({
      ok: true,
      value: [
        { command: 'show short', output: 'ok é\n' },
        { command: 'show long', output: long },
      ],
    });
  });

  test('no daemon on the socket: not-running, nothing else', async () => {
    channel = createVtyChannel({ socketPath: join(directory, 'bgpd.vty') });
    expect(await channel.run(['show version'])).toMatchObject({
      ok: false,
      error: { kind: 'not-running', command: undefined, index: undefined, completed: [] },
    });
    expect(channel.connected()).toBe(false);
  });

  test('enable refused: not-running with the reason', async () => {
    await start((command) => (command === 'enable' ? { reply: '% no\n', status: 1 } : { reply: '' }));
    expect(await channel?.run(['show version'])).toMatchObject({
      ok: false,
      error: { kind: 'not-running', message: expect.stringContaining('enable failed: % no') },
    });
  });

  test('a command with no answer times out, the connection is dropped and the next batch reconnects', async () => {
    const { daemon, channel } = await start(
      (command) => (command === 'show slow' ? 'silent' : { reply: '' }),
      { commandTimeoutMs: 100 },
    );
    const started = performance.now();
    const result = await channel.run(['configure terminal', 'show slow', 'end']);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(result).toMatchObject({
      ok: false,
      error: {
        kind: 'timeout',
        command: 'show slow',
        index: 1,
        completed: [{ command: 'configure terminal' }],
      },
    });
    expect(channel.connected()).toBe(false);
    expect(await channel.run(['show version'])).toMatchObject({ ok: true });
    expect(daemon.sessions.length).toBe(2);
  });

  test('the daemon hanging up after a command: disconnected, the outcome of that command unknown', async () => {
    const { channel } = await start((command) =>
      command === 'network 198.18.0.1/32' ? 'hang-up' : { reply: '' },
    );
    expect(await channel.configure(['router bgp 65100', 'network 198.18.0.1/32'])).toMatchObject({
      ok: false,
      error: { kind: 'disconnected', command: 'network 198.18.0.1/32', index: 2 },
    });
  });

  test('an idle connection the daemon closed (restart) is replaced before the first command', async () => {
    const { daemon, channel } = await start();
    expect(await channel.run(['show version'])).toMatchObject({ ok: true });
    // The daemon restarts: its socket file is recreated by a new process.
    await daemon.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await channel.run(['show version'])).toMatchObject({ ok: false, error: { kind: 'not-running' } });
    const restarted = await startDaemon(daemon.path, bgpdLike);
    try {
      expect(await channel.run(['show version'])).toMatchObject({ ok: true });
      expect(restarted.sessions).toEqual([['enable', 'show version']]);
    } finally {
      await restarted.close();
    }
  });

  test('a connection that died unnoticed while idle is retried once for the first command', async () => {
    let hangUps = 1;
    const { daemon, channel } = await start((command) => {
      if (command === 'show version' && hangUps > 0) {
        hangUps--;
        return 'hang-up';
      }
      return { reply: '' };
    });
    // First the connection is made by one batch…
    expect(await channel.run(['show bgp summary'])).toMatchObject({ ok: true });
    // …then the next batch's first command meets a dead vty: one new connection runs it.
    expect(await channel.run(['show version'])).toMatchObject({ ok: true });
    expect(daemon.sessions).toEqual([
      ['enable', 'show bgp summary', 'show version'],
      ['enable', 'show version'],
    ]);
  });

  test('commands that cannot be one vty line are refused before anything is sent', async () => {
    const { daemon, channel } = await start();
    expect(await channel.run(['show version', 'network 198.18.0.1/32\0no router bgp 65100'])).toMatchObject({
      ok: false,
      error: { kind: 'invalid-command', index: 1, completed: [] },
    });
    expect(daemon.sessions).toEqual([]);
  });

  test('a reply that breaks the protocol drops the connection', async () => {
    const { channel } = await start((command) =>
      command === 'show bad' ? { raw: Buffer.from([65, 0, 66, 67, 0, 0, 0, 0]) } : { reply: '' },
    );
    expect(await channel.run(['show bad'])).toMatchObject({ ok: false, error: { kind: 'protocol' } });
    expect(channel.connected()).toBe(false);
  });

  test('a batch that leaves configure mode open is not continued by the next one', async () => {
    const { daemon, channel } = await start();
    expect(await channel.run(['configure terminal', 'router bgp 65100'])).toMatchObject({ ok: true });
    expect(await channel.run(['show version'])).toMatchObject({ ok: true });
    expect(daemon.sessions).toEqual([
      ['enable', 'configure terminal', 'router bgp 65100'],
      ['enable', 'show version'],
    ]);
  });

  test('batches from concurrent callers never interleave', async () => {
    const { daemon, channel } = await start((command) => ({ reply: `${command}\n`, chunkSize: 2 }));
    const batches = [0, 1, 2].map((n) => [`show a${n}`, `show b${n}`, `show c${n}`]);
    const results = await Promise.all(batches.map((batch) => channel.run(batch)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(daemon.sessions).toEqual([['enable', ...batches.flat()]]);
  });

  test('an empty batch touches nothing', async () => {
    const { daemon, channel } = await start();
    expect(await channel.run([])).toEqual({ ok: true, value: [] });
    expect(daemon.sessions).toEqual([]);
  });
});
