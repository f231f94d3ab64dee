// A Vtysh fake that behaves like FRR for what the apply engine does: it holds a running config, applies
// frr-reload.py files and `configure terminal` command lists (lines replace lines of the same command,
// `no` removes, a failing command stops the list), and records every call. Tests script failures.
import { readFile } from 'node:fs/promises';
import type { CommandOutput, FrrError, FrrResult, Vtysh } from '../../src/frr/vtysh.js';
import { parseConfigTree, printConfigTree, type ConfigNode } from '../../src/frr/apply/config-tree.js';

export interface FakeFrrCall {
  readonly method: 'commands' | 'applyFile' | 'dryRun' | 'runningConfig' | 'frrReload' | 'show' | 'run';
  readonly argument: string;
}

export interface FakeFrr extends Vtysh {
  /** the running config's body (what `show running-config` prints after its banner) */
  running: string;
  readonly calls: FakeFrrCall[];
  /** a command or line text that FRR's parser refuses (dry run and vtysh -c) */
  rejectSyntax: string | undefined;
  /** a command FRR accepts syntactically but refuses when applied (vtysh -c and frr-reload) */
  rejectOnApply: string | undefined;
  /** runs right after a successful frr-reload.py: someone else changing FRR meanwhile */
  afterReload: (() => void) | undefined;
  callsOf(method: FakeFrrCall['method']): FakeFrrCall[];
}

const OUTPUT: CommandOutput = {
  argv: [],
  exitCode: 0,
  stdout: '',
  stderr: '',
  durationMs: 0,
  timedOut: false,
};

function failed<T>(kind: FrrError['kind'], message: string, line?: number): FrrResult<T> {
  return { ok: false, error: { kind, message, line, output: { ...OUTPUT, exitCode: 1, stdout: message } } };
}

function key(line: string): string {
  return line.split(' ').slice(0, 2).join(' ');
}

function isContext(line: string, depth: number): boolean {
  if (depth === 0) return /^(router |route-map |bfd$)/.test(line);
  return /^(address-family |profile )/.test(line);
}

/** Applies `configure terminal` commands to a config text the way FRR would for ferry's commands. */
function applyCommands(
  text: string,
  commands: readonly string[],
  reject: string | undefined,
): { text: string; failedAt?: string } {
  const tree = parseConfigTree(text) as ConfigNode[];
  const stack: ConfigNode[][] = [tree];
  const mutable = (node: ConfigNode) => node.children as ConfigNode[];
  for (const command of commands) {
    const here = stack[stack.length - 1] ?? tree;
    if (command === 'configure terminal' || command === 'end') continue;
    if (command === reject) return { text: printConfigTree(tree), failedAt: command };
    if (command === 'exit' || command === 'exit-address-family') {
      stack.pop();
      continue;
    }
    if (command.startsWith('no ')) {
      const line = command.slice(3);
      const index = here.findIndex(
        (n) => n.line === line || (line.startsWith('network ') && key(n.line) === key(line)),
      );
      if (index < 0) return { text: printConfigTree(tree), failedAt: command };
      here.splice(index, 1);
      continue;
    }
    if (isContext(command, stack.length - 1)) {
      let node = here.find((n) => n.line === command);
      if (node === undefined) {
        node = { line: command, context: true, children: [] };
        here.push(node);
      }
      stack.push(mutable(node));
      continue;
    }
    const replace = here.findIndex(
      (n) => key(n.line) === key(command) && /^(network|set|match) /.test(command),
    );
    if (replace >= 0) here.splice(replace, 1, { line: command, context: false, children: [] });
    else if (!here.some((n) => n.line === command))
      here.push({ line: command, context: false, children: [] });
  }
  return { text: printConfigTree(tree) };
}

export function createFakeFrr(
  initialRunning = 'frr version 8.4.4\nfrr defaults traditional\nno ip forwarding\n',
): FakeFrr {
  const calls: FakeFrrCall[] = [];
  const fake: FakeFrr = {
    running: initialRunning,
    calls,
    rejectSyntax: undefined,
    rejectOnApply: undefined,
    afterReload: undefined,
    callsOf: (method) => calls.filter((c) => c.method === method),
    async run(args) {
      calls.push({ method: 'run', argument: args.join(' ') });
      return OUTPUT;
    },
    async applyFile(text) {
      calls.push({ method: 'applyFile', argument: text });
      // `vtysh -f` runs the file's lines as commands in configure mode (not atomically)
      const lines = text
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '' && line !== '!');
      const applied = applyCommands(fake.running, lines, fake.rejectOnApply ?? fake.rejectSyntax);
      fake.running = applied.text;
      if (applied.failedAt !== undefined) return failed('rejected', `% refused: ${applied.failedAt}`);
      return { ok: true, value: undefined, output: OUTPUT };
    },
    async commands(list) {
      calls.push({ method: 'commands', argument: list.join('\n') });
      if (fake.rejectSyntax !== undefined && list.includes(fake.rejectSyntax)) {
        const index = list.indexOf(fake.rejectSyntax);
        fake.running = applyCommands(fake.running, list.slice(0, index), undefined).text;
        return failed('rejected', `% Unknown command: ${fake.rejectSyntax}`);
      }
      const showRunning = list[list.length - 1] === 'show running-config';
      const applied = applyCommands(fake.running, showRunning ? list.slice(0, -1) : list, fake.rejectOnApply);
      fake.running = applied.text;
      if (applied.failedAt !== undefined) return failed('rejected', `% refused: ${applied.failedAt}`);
      const stdout = showRunning
        ? `Building configuration...\n\nCurrent configuration:\n!\n${fake.running}end\n`
        : '';
      return { ok: true, value: stdout, output: OUTPUT };
    },
    async show(command) {
      calls.push({ method: 'show', argument: command });
      return { ok: true, value: {}, output: OUTPUT };
    },
    async showAll(commands) {
      return { ok: true, value: commands.map(() => ({})), output: OUTPUT };
    },
    async configure(lines) {
      return fake.commands(['configure terminal', ...lines]);
    },
    async dryRun(text) {
      calls.push({ method: 'dryRun', argument: text });
      const lines = text.split('\n');
      const index = lines.findIndex(
        (line) => fake.rejectSyntax !== undefined && line.trim() === fake.rejectSyntax,
      );
      if (index >= 0)
        return failed(
          'syntax',
          `line ${index + 1}: % Unknown command[25]: ${lines[index]?.trim() ?? ''}`,
          index + 1,
        );
      return { ok: true, value: undefined, output: OUTPUT };
    },
    async runningConfig() {
      calls.push({ method: 'runningConfig', argument: '' });
      return { ok: true, value: `!\n${fake.running}end\n`, output: OUTPUT };
    },
    async frrReload(file, mode) {
      const text = await readFile(file, 'utf8');
      calls.push({ method: 'frrReload', argument: text });
      if (mode === 'test') return { ok: true, value: '', output: OUTPUT };
      if (fake.rejectSyntax !== undefined && text.includes(fake.rejectSyntax)) {
        return failed('syntax', 'ERROR: vtysh failed to process new configuration');
      }
      if (fake.rejectOnApply !== undefined && text.includes(fake.rejectOnApply)) {
        // frr-reload applies everything but the refused line.
        fake.running = printConfigTree(parseConfigTree(text.replace(fake.rejectOnApply, '')));
        return failed('rejected', `% refused: ${fake.rejectOnApply}`);
      }
      fake.running = printConfigTree(parseConfigTree(text));
      fake.afterReload?.();
      return { ok: true, value: '', output: OUTPUT };
    },
  };
  return fake;
}
