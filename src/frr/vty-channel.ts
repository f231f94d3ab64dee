// A persistent connection to one FRR daemon's vty socket (`<vty socket dir>/<daemon>.vty`), speaking
// the protocol vtysh speaks, so that applying a few commands costs a socket round trip per command
// instead of a vtysh process (~40–110 ms each on a loaded node; docs/decisions/0002).
//
// The protocol, FRR 8.4 (lib/vty.c vtysh_accept/vtysh_read, vtysh/vtysh.c vtysh_client_run), checked
// live in test/frr/vty-channel.test.ts:
// - a new connection starts in VIEW_NODE; `enable` moves it to ENABLE_NODE (no password for the vtysh
//   socket), which `configure terminal` needs;
// - each command is sent as its text followed by one NUL byte; the daemon runs it and answers with the
//   output (text, no NUL) followed by the trailer `00 00 00 <status>`; status 0 is CMD_SUCCESS, any
//   other value is a failure (1 warning, 2 unknown command, 3 ambiguous, 4 incomplete, 13 config
//   failed, …) whose explanation, when FRR gives one, is the output (`% Specify remote-as …`);
// - a command of VTY_BUFSIZ (4096) bytes or more is dropped with `% Command is too long.` and no
//   trailer, so such a command is refused here and never sent;
// - closing the connection leaves configure mode (vty_close → vty_config_exit).
// Commands go one at a time and the first failure stops the batch, like `vtysh -c … -c …`. Only the
// given daemon sees the commands: vtysh would also send `configure terminal` / `end` to the others,
// which matters only for commands those daemons own. Every outcome is a value; only bugs throw.
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Result } from '../util/result.js';
import { SerialQueue } from '../util/serial-queue.js';

/** One command FRR ran successfully, with what it printed. */
export interface VtyReply {
  readonly command: string;
  readonly output: string;
}

export type VtyChannelErrorKind =
  /** the daemon answered with a non-zero status: FRR refused the command */
  | 'rejected'
  /** no daemon listens on the socket (not started yet, restarting, wrong path) */
  | 'not-running'
  /** no complete answer in time; the connection was dropped, the command may or may not have run */
  | 'timeout'
  /** the connection broke after the command was sent; it may or may not have run */
  | 'disconnected'
  /** the command cannot be sent as one vty line (NUL, line break, too long); nothing was sent */
  | 'invalid-command'
  /** the daemon's answer does not follow the protocol; the connection was dropped */
  | 'protocol';

export interface VtyChannelError {
  readonly kind: VtyChannelErrorKind;
  /** FRR's words when it gave any, else what went wrong */
  readonly message: string;
  /** the command that failed; undefined when connecting failed */
  readonly command: string | undefined;
  /** its index in the batch; undefined when connecting failed */
  readonly index: number | undefined;
  /** FRR's status code for `rejected` */
  readonly status: number | undefined;
  /** the commands of the batch FRR ran successfully before the failure */
  readonly completed: readonly VtyReply[];
}

export type VtyChannelResult = Result<readonly VtyReply[], VtyChannelError>;

export interface VtyChannelOptions {
  /** e.g. /var/run/frr/bgpd.vty, or /var/run/frr/NAME/bgpd.vty for a pathspace */
  readonly socketPath: string;
  /** longest wait for one command's answer; default 10 s */
  readonly commandTimeoutMs?: number;
  /** longest wait for the connection and `enable`; default 2 s */
  readonly connectTimeoutMs?: number;
}

export interface VtyChannel {
  readonly socketPath: string;
  /**
   * Runs the commands in order from the enable node, stopping at the first one FRR refuses. The next
   * batch starts in the enable node again: a batch that fails or leaves configure mode open gets a
   * fresh connection. Batches never interleave.
   */
  run(commands: readonly string[]): Promise<VtyChannelResult>;
  /** `configure terminal`, the lines, `end`; indices in errors are those of `run`'s batch. */
  configure(lines: readonly string[]): Promise<VtyChannelResult>;
  /** Whether a connection is open now (it is opened on demand). */
  connected(): boolean;
  /** Closes the connection; a later `run` opens a new one. */
  close(): void;
}

/** The socket vtysh would use for `daemon` under a vty socket directory (`--vty_socket`, `-N`). */
export function vtySocketPath(socketDirectory: string, daemon: string): string {
  return join(socketDirectory, `${daemon}.vty`);
}

/** lib/vty.h VTY_BUFSIZ: the daemon drops a command whose bytes (with the NUL) reach it. */
const VTY_BUFSIZ = 4096;
const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 2_000;

/** lib/command.h return codes, for messages when FRR printed nothing. */
const STATUS_NAMES: Readonly<Record<number, string>> = {
  1: 'warning',
  2: 'unknown command',
  3: 'ambiguous command',
  4: 'incomplete command',
  5: 'too many arguments',
  6: 'nothing to do',
  11: 'no such file',
  12: 'suspended',
  13: 'configuration failed',
  14: 'not my instance',
  15: 'no level up',
  16: 'daemon not running',
};

/** What the reply decoder found in the bytes received so far. */
export type DecodedReply =
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'reply'; readonly output: string; readonly status: number; readonly rest: Buffer }
  | { readonly kind: 'malformed'; readonly message: string };

/**
 * Splits one reply off the bytes received: the output runs up to the first NUL, which must start
 * the `00 00 00 <status>` trailer. Pure; the channel feeds it the concatenated chunks.
 */
export function decodeReply(received: Buffer): DecodedReply {
  const nul = received.indexOf(0);
  if (nul < 0 || received.length < nul + 4) return { kind: 'incomplete' };
  if (received[nul + 1] !== 0 || received[nul + 2] !== 0) {
    return { kind: 'malformed', message: `reply trailer is not 00 00 00 <status> at byte ${nul}` };
  }
  return {
    kind: 'reply',
    output: received.subarray(0, nul).toString('utf8'),
    status: received[nul + 3] ?? 0,
    rest: received.subarray(nul + 4),
  };
}

/** Why a command cannot travel as one vty line, or undefined when it can. */
export function commandProblem(command: string): string | undefined {
  // A NUL would end the command early and run the rest as another; a line break is not one line.
  if (/[\0\r\n]/.test(command)) return 'contains a NUL or line break';
  if (Buffer.byteLength(command) + 1 >= VTY_BUFSIZ) return `is ${VTY_BUFSIZ} bytes or longer`;
  return undefined;
}

function statusMessage(command: string, status: number, output: string): string {
  const said = output.trim();
  if (said !== '') return said;
  return `% ${STATUS_NAMES[status] ?? 'error'} (status ${status}): ${command}`;
}

/** Commands that enter or leave configure mode, to know which node a batch ends in. */
const ENTERS_CONFIG = /^\s*conf/;
const LEAVES_CONFIG = /^\s*end\s*$/;

interface Pending {
  readonly resolve: (
    reply: { output: string; status: number } | { failure: VtyChannelErrorKind; message: string },
  ) => void;
}

/** One open connection: sends a command, waits for its trailer. */
class Connection {
  private received: Buffer = Buffer.alloc(0);
  private pending: Pending | undefined;
  private closedBecause: string | undefined;

  constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error: Error) => this.onClosed(error.message));
    socket.on('close', () => this.onClosed('connection closed by the daemon'));
    // An idle connection must not keep the process alive; a command in flight has its own timer.
    socket.unref();
  }

  get open(): boolean {
    return this.closedBecause === undefined;
  }

  send(command: string, timeoutMs: number) {
    return new Promise<
      { output: string; status: number } | { failure: VtyChannelErrorKind; message: string }
    >((resolve) => {
      if (!this.open) {
        resolve({ failure: 'disconnected', message: this.closedBecause ?? 'connection closed' });
        return;
      }
      const timer = setTimeout(() => {
        this.pending = undefined;
        this.destroy('timed out');
        resolve({ failure: 'timeout', message: `no answer to '${command}' within ${timeoutMs} ms` });
      }, timeoutMs);
      this.pending = {
        resolve: (reply) => {
          clearTimeout(timer);
          this.pending = undefined;
          resolve(reply);
        },
      };
      this.socket.write(`${command}\0`);
    });
  }

  destroy(reason: string): void {
    this.closedBecause ??= reason;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.received = this.received.length === 0 ? chunk : Buffer.concat([this.received, chunk]);
    const pending = this.pending;
    const decoded = decodeReply(this.received);
    if (decoded.kind === 'incomplete') return;
    if (decoded.kind === 'malformed' || pending === undefined || decoded.rest.length > 0) {
      // Bytes nobody asked for, or not the protocol: nothing later on this connection can be trusted.
      const message =
        decoded.kind === 'malformed'
          ? decoded.message
          : pending === undefined
            ? 'the daemon sent bytes without a command'
            : 'the daemon sent more than one reply';
      this.destroy(message);
      pending?.resolve({ failure: 'protocol', message });
      return;
    }
    this.received = Buffer.alloc(0);
    pending.resolve({ output: decoded.output, status: decoded.status });
  }

  private onClosed(reason: string): void {
    this.closedBecause ??= reason;
    this.pending?.resolve({ failure: 'disconnected', message: this.closedBecause });
  }
}

function connect(socketPath: string, timeoutMs: number): Promise<Result<Connection, string>> {
  return new Promise((resolve) => {
    const socket = createConnection({ path: socketPath });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ ok: false, error: `connecting to ${socketPath} timed out after ${timeoutMs} ms` });
    }, timeoutMs);
    const refused = (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ok: false, error: `cannot connect to ${socketPath}: ${error.code ?? error.message}` });
    };
    socket.once('error', refused);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', refused);
      // The connection's own listeners are attached before this handler returns: no event is lost.
      resolve({ ok: true, value: new Connection(socket) });
    });
  });
}

export function createVtyChannel(options: VtyChannelOptions): VtyChannel {
  const { socketPath } = options;
  const commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  let connection: Connection | undefined;
  const queue = new SerialQueue();

  const drop = (reason: string) => {
    connection?.destroy(reason);
    connection = undefined;
  };

  /** An open connection in the enable node, reusing the last one when it is still open. */
  const ready = async (): Promise<Result<{ connection: Connection; reused: boolean }, string>> => {
    if (connection?.open === true) return { ok: true, value: { connection, reused: true } };
    connection = undefined;
    const opened = await connect(socketPath, connectTimeoutMs);
    if (!opened.ok) return opened;
    const enabled = await opened.value.send('enable', connectTimeoutMs);
    if ('failure' in enabled || enabled.status !== 0) {
      opened.value.destroy('enable failed');
      const why =
        'failure' in enabled ? enabled.message : statusMessage('enable', enabled.status, enabled.output);
      return { ok: false, error: `${socketPath}: enable failed: ${why}` };
    }
    connection = opened.value;
    return { ok: true, value: { connection: opened.value, reused: false } };
  };

  const runNow = async (commands: readonly string[]): Promise<VtyChannelResult> => {
    const completed: VtyReply[] = [];
    const fail = (
      kind: VtyChannelErrorKind,
      message: string,
      index: number | undefined,
      status?: number,
    ): VtyChannelResult => ({
      ok: false,
      error: {
        kind,
        message,
        command: index === undefined ? undefined : commands[index],
        index,
        status,
        completed,
      },
    });
    // Refuse the whole batch before sending anything rather than stop half way on a bad line.
    for (const [index, command] of commands.entries()) {
      const problem = commandProblem(command);
      if (problem !== undefined) return fail('invalid-command', `command ${problem}`, index);
    }
    if (commands.length === 0) return { ok: true, value: completed };

    let open = await ready();
    if (!open.ok) return fail('not-running', open.error, undefined);
    let inConfig = false;
    for (const [index, command] of commands.entries()) {
      let reply = await open.value.connection.send(command, commandTimeoutMs);
      if ('failure' in reply && reply.failure === 'disconnected' && index === 0 && open.value.reused) {
        // The daemon went away while the connection sat idle (e.g. watchfrr restarted it): the first
        // command never reached a live vty, so one new connection may run it.
        drop('stale');
        open = await ready();
        if (!open.ok) return fail('not-running', open.error, undefined);
        reply = await open.value.connection.send(command, commandTimeoutMs);
      }
      if ('failure' in reply) {
        drop(reply.message);
        return fail(reply.failure, reply.message, index);
      }
      if (reply.status !== 0) {
        // A fresh vty next time: closing it leaves whatever node this batch stopped in.
        drop('command failed');
        return fail('rejected', statusMessage(command, reply.status, reply.output), index, reply.status);
      }
      completed.push({ command, output: reply.output });
      if (ENTERS_CONFIG.test(command)) inConfig = true;
      else if (LEAVES_CONFIG.test(command)) inConfig = false;
    }
    if (inConfig) drop('batch left configure mode open');
    return { ok: true, value: completed };
  };

  const run = (commands: readonly string[]): Promise<VtyChannelResult> => {
    return queue.run(() => runNow(commands));
  };

  return {
    socketPath,
    run,
    configure: (lines) => run(['configure terminal', ...lines, 'end']),
    connected: () => connection?.open === true,
    close: () => drop('closed'),
  };
}
