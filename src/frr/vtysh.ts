// The one place in src/frr that runs FRR's tools (vtysh, frr-reload.py). Every FRR-side failure comes
// back as a value carrying FRR's own message; only bugs throw. FRR 8.4 behaviour this relies on
// (docs/design.md §7.3): `vtysh -c` stops at the first failing command and prints the
// error on stdout with rc 1; `vtysh -C -f FILE` is a daemon-free syntax check answering rc 2 and
// `line N: ...` on stderr; several `-c '... json'` print concatenated JSON documents.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { parseJsonDocuments } from './parse/json-documents.js';
import type { Failure, Success } from '../util/result.js';

export interface VtyshOptions {
  /** `vtysh -N NAME`: config in /etc/frr/NAME, sockets in /var/run/frr/NAME (the lab's instances) */
  readonly pathspace?: string;
  /** `vtysh --vty_socket DIR` (the speaker sidecar: the /var/run/frr it shares with the FRR container) */
  readonly vtySocketDir?: string;
  /** frr.conf directory for frr-reload.py `--confdir`; default /etc/frr[/PATHSPACE] */
  readonly configDir?: string;
  /** frr-reload.py `--rundir` (it writes reload-XXXXXX.txt there); default: FRR's /var/run/frr */
  readonly reloadRunDir?: string;
  /** argv put in front of every command, e.g. `ip netns exec NS` or an nsenter wrapper */
  readonly commandPrefix?: readonly string[];
  /** per command; default 30 s */
  readonly timeoutMs?: number;
  readonly vtyshPath?: string;
  readonly frrReloadPath?: string;
}

/** What one process run produced, kept for logs and errors. */
export interface CommandOutput {
  readonly argv: readonly string[];
  /** undefined when the process was killed or never started */
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
  readonly timedOut: boolean;
}

export type FrrErrorKind =
  /** FRR refused a command or a file (`% Unknown command`, `% Specify remote-as ...`) */
  | 'rejected'
  /** `vtysh -C` / frr-reload found a syntax error; `line` says where */
  | 'syntax'
  /** vtysh reached no daemon, or not the one the command needs (`bfdd is not running`) */
  | 'not-running'
  | 'timeout'
  /** the tool could not be started (not installed, wrong path) */
  | 'spawn'
  /** rc 0 but the output is not what the command promises (e.g. not JSON) */
  | 'invalid-output';

export interface FrrError {
  readonly kind: FrrErrorKind;
  /** FRR's words, trimmed; what a user needs to act */
  readonly message: string;
  /** 1-based line of the offending file line, when FRR names one */
  readonly line: number | undefined;
  readonly output: CommandOutput;
}

export type FrrResult<T> = (Success<T> & { readonly output: CommandOutput }) | Failure<FrrError>;

export type FrrReloadMode = 'test' | 'reload';

export interface Vtysh {
  /** Runs vtysh with these arguments (after the location options); never fails. */
  run(args: readonly string[]): Promise<CommandOutput>;
  /** `vtysh -c C1 -c C2 ...`: stdout, or the first failing command's error. */
  commands(commands: readonly string[]): Promise<FrrResult<string>>;
  /** One `show ... json` command; several concatenated documents come back as an array. */
  show(command: string): Promise<FrrResult<unknown>>;
  /** Several `show ... json` commands in one vtysh call, one document each. */
  showAll(commands: readonly string[]): Promise<FrrResult<unknown[]>>;
  /** Lines applied in one vtysh call after `configure terminal`; stops at the first one FRR refuses. */
  configure(lines: readonly string[]): Promise<FrrResult<string>>;
  /** FRR's own syntax check of a whole config (`vtysh -C -f`); needs no running daemon. */
  dryRun(configText: string): Promise<FrrResult<void>>;
  /**
   * Applies config text as `vtysh -f` does (a merge, no deletions beyond the `no …` lines it holds):
   * one process for any number of lines, much faster than one `-c` per line for large changes.
   * Not atomic: lines before a refused one stay applied.
   */
  applyFile(configText: string): Promise<FrrResult<void>>;
  /** `show running-config` without vtysh's "Building configuration..." banner. */
  runningConfig(): Promise<FrrResult<string>>;
  /** frr-reload.py `--test` (prints the diff) or `--reload` (applies it) for a config file. */
  frrReload(file: string, mode: FrrReloadMode): Promise<FrrResult<string>>;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const LINE_ERROR = /line (\d+):\s*(.*)/;
const NOT_RUNNING = /failed to connect to any daemons|is not running/;
const RUNNING_CONFIG_BANNER = /^Building configuration\.\.\.\n\nCurrent configuration:\n/;

/** Kills the whole process group: frr-reload.py's vtysh children would otherwise keep the pipes open. */
function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

async function runCommand(argv: readonly string[], timeoutMs: number): Promise<CommandOutput> {
  const [file, ...args] = argv;
  const started = performance.now();
  const child = execa(file ?? '', args, {
    reject: false,
    detached: true,
    stdin: 'ignore',
    stripFinalNewline: false,
  });
  let timedOut = false;
  const timers = [
    setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGTERM');
    }, timeoutMs),
    setTimeout(() => killGroup(child.pid, 'SIGKILL'), timeoutMs + 2_000),
  ];
  const result = await child.finally(() => timers.forEach(clearTimeout));
  // execa reports a failed spawn (ENOENT) in `originalMessage`, with no exit code and no signal.
  const spawnError = result.exitCode === undefined && result.signal === undefined;
  return {
    argv,
    exitCode: result.exitCode,
    stdout: typeof result.stdout === 'string' ? result.stdout : '',
    stderr:
      typeof result.stderr === 'string' && result.stderr !== ''
        ? result.stderr
        : spawnError
          ? (result.originalMessage ?? result.message ?? 'spawn failed')
          : '',
    durationMs: performance.now() - started,
    timedOut,
  };
}

/** Lines worth showing a user: FRR's `%` messages, `line N:` errors, ERROR/WARNING logs. */
function frrMessages(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^(%|line \d+:|ERROR|WARNING|b'line \d+:)/.test(line))
    .filter((line) => !line.startsWith("% Can't open configuration file"));
}

function failure(output: CommandOutput): FrrError {
  const base = { output, line: undefined };
  if (output.timedOut) {
    return { ...base, kind: 'timeout', message: `${output.argv.join(' ')} did not finish in time` };
  }
  if (output.exitCode === undefined) {
    return { ...base, kind: 'spawn', message: `cannot run ${output.argv[0] ?? ''}: ${output.stderr.trim()}` };
  }
  if (NOT_RUNNING.test(output.stderr)) {
    return { ...base, kind: 'not-running', message: output.stderr.trim() };
  }
  const messages = [...frrMessages(output.stdout), ...frrMessages(output.stderr)];
  const lineError = messages.map((message) => LINE_ERROR.exec(message)).find((match) => match !== null);
  const message =
    messages.join('\n') || output.stdout.trim() || output.stderr.trim() || `exit code ${output.exitCode}`;
  return {
    output,
    kind: output.exitCode === 2 && lineError !== undefined ? 'syntax' : 'rejected',
    message,
    line: lineError?.[1] === undefined ? undefined : Number(lineError[1]),
  };
}

function succeeded(output: CommandOutput): boolean {
  return output.exitCode === 0 && !output.timedOut;
}

function textResult(output: CommandOutput): FrrResult<string> {
  return succeeded(output)
    ? { ok: true, value: output.stdout, output }
    : { ok: false, error: failure(output) };
}

function jsonResult(output: CommandOutput): FrrResult<unknown[]> {
  if (!succeeded(output)) return { ok: false, error: failure(output) };
  const parsed = parseJsonDocuments(output.stdout);
  if (!parsed.ok) {
    return { ok: false, error: { kind: 'invalid-output', message: parsed.error, line: undefined, output } };
  }
  return { ok: true, value: [...parsed.value], output };
}

/** Skips blank lines and `!` separators, which carry nothing and only lengthen the argv. */
function meaningfulLines(lines: readonly string[]): string[] {
  return lines.filter((line) => line.trim() !== '' && line.trim() !== '!');
}

export function createVtysh(options: VtyshOptions = {}): Vtysh {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const prefix = options.commandPrefix ?? [];
  const location = [
    ...(options.pathspace === undefined ? [] : ['-N', options.pathspace]),
    ...(options.vtySocketDir === undefined ? [] : ['--vty_socket', options.vtySocketDir]),
  ];
  const pathspaceDir = options.pathspace === undefined ? '' : `/${options.pathspace}`;
  const configDir = options.configDir ?? `/etc/frr${pathspaceDir}`;
  const socketDir = options.vtySocketDir ?? `/var/run/frr${pathspaceDir}`;

  const run = (args: readonly string[]) =>
    runCommand([...prefix, options.vtyshPath ?? 'vtysh', ...location, ...args], timeoutMs);
  const commands = async (list: readonly string[]) => textResult(await run(list.flatMap((c) => ['-c', c])));
  const showAll = async (list: readonly string[]) => jsonResult(await run(list.flatMap((c) => ['-c', c])));

  /** Writes the text to a private temporary file and runs `vtysh [FLAGS] -f FILE` on it. */
  const runOnFile = async (configText: string, flags: readonly string[]): Promise<FrrResult<void>> => {
    const directory = await mkdtemp(join(tmpdir(), 'ferry-vtysh-'));
    try {
      const file = join(directory, 'frr.conf');
      await writeFile(file, configText);
      const output = await run([...flags, '-f', file]);
      return succeeded(output)
        ? { ok: true, value: undefined, output }
        : { ok: false, error: failure(output) };
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  };

  return {
    run,
    commands,
    showAll,
    async show(command) {
      const result = await showAll([command]);
      if (!result.ok) return result;
      const [only, ...more] = result.value;
      if (only === undefined) {
        const error = {
          kind: 'invalid-output',
          message: `no JSON from '${command}'`,
          line: undefined,
        } as const;
        return { ok: false, error: { ...error, output: result.output } };
      }
      return { ok: true, value: more.length === 0 ? only : result.value, output: result.output };
    },
    configure(lines) {
      return commands(['configure terminal', ...meaningfulLines(lines)]);
    },
    dryRun: (configText) => runOnFile(configText, ['-C']),
    applyFile: (configText) => runOnFile(configText, []),
    async runningConfig() {
      const result = await commands(['show running-config']);
      return result.ok ? { ...result, value: result.value.replace(RUNNING_CONFIG_BANNER, '') } : result;
    },
    async frrReload(file, mode) {
      // --confdir + --vty_socket, never --pathspace: with a pathspace frr-reload looks for
      // /etc/frr/NAME/NAME/vtysh.conf and `write`s per-daemon files (docs/design.md §7.3).
      const output = await runCommand(
        [
          ...prefix,
          options.frrReloadPath ?? '/usr/lib/frr/frr-reload.py',
          mode === 'test' ? '--test' : '--reload',
          '--stdout',
          '--confdir',
          configDir,
          '--vty_socket',
          socketDir,
          ...(options.reloadRunDir === undefined ? [] : ['--rundir', options.reloadRunDir]),
          file,
        ],
        timeoutMs,
      );
      if (!succeeded(output)) {
        // A file vtysh cannot parse is refused as a whole (and --test still prints a diff against an
        // empty file, to be ignored); any other failure may have been applied partially.
        const error = failure(output);
        const refused = output.stderr.includes('failed to process new configuration');
        return { ok: false, error: refused ? { ...error, kind: 'syntax' } : error };
      }
      return { ok: true, value: output.stdout, output };
    },
  };
}
