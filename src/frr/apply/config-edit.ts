// A config edit: one change to one line or context of FRR's config, located by the contexts above it.
// The incremental plan is an ordered list of edits; from it come the vtysh commands, the delta file
// FRR's parser checks before anything is applied, and the running config FRR should print afterwards.
// Pure.
import type { ConfigNode, ConfigTree } from './config-tree.js';

/** Context openers from the top level down, e.g. `['router bgp 65100', 'address-family ipv4 unicast']`. */
export type ContextPath = readonly string[];

export type ConfigEdit =
  /** a new line in an existing context: `network P route-map R`, `set community …` */
  | { readonly kind: 'add-line'; readonly path: ContextPath; readonly line: string }
  /** a line whose command FRR replaces in place (same `network P`, same `set community`): only the new line is sent */
  | { readonly kind: 'replace-line'; readonly path: ContextPath; readonly old: string; readonly line: string }
  /** `no <line>` */
  | { readonly kind: 'remove-line'; readonly path: ContextPath; readonly line: string }
  /** a new context with its lines: a route-map entry */
  | {
      readonly kind: 'add-context';
      readonly path: ContextPath;
      readonly line: string;
      readonly children: readonly string[];
    }
  /** `no <context line>`: a route-map entry */
  | { readonly kind: 'remove-context'; readonly path: ContextPath; readonly line: string };

/** One command at its context depth (depth 0 = `configure terminal` level). */
interface PositionedCommand {
  readonly depth: number;
  readonly command: string;
}

function closerOf(opener: string): string {
  return opener.startsWith('address-family') ? 'exit-address-family' : 'exit';
}

function commonPrefixLength(a: ContextPath, b: ContextPath): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** Commands with context navigation: enter and leave contexts only when the next edit needs it. */
function positionedCommands(edits: readonly ConfigEdit[]): PositionedCommand[] {
  const out: PositionedCommand[] = [];
  let current: ContextPath = [];
  const moveTo = (path: ContextPath) => {
    const keep = commonPrefixLength(current, path);
    for (let depth = current.length - 1; depth >= keep; depth--) {
      out.push({ depth, command: closerOf(current[depth] ?? '') });
    }
    for (let depth = keep; depth < path.length; depth++) out.push({ depth, command: path[depth] ?? '' });
    current = path;
  };
  for (const edit of edits) {
    moveTo(edit.path);
    const depth = edit.path.length;
    switch (edit.kind) {
      case 'add-line':
      case 'replace-line':
        out.push({ depth, command: edit.line });
        break;
      case 'remove-line':
      case 'remove-context':
        out.push({ depth, command: `no ${edit.line}` });
        break;
      case 'add-context':
        out.push({ depth, command: edit.line });
        for (const child of edit.children) out.push({ depth: depth + 1, command: child });
        out.push({ depth, command: closerOf(edit.line) });
        break;
    }
  }
  moveTo([]);
  return out;
}

/** The vtysh `-c` commands for the edits, from `configure terminal` to `end`. */
export function vtyshCommandsFor(edits: readonly ConfigEdit[]): string[] {
  return ['configure terminal', ...positionedCommands(edits).map((c) => c.command), 'end'];
}

/**
 * The edits as a config file for FRR's parser (`vtysh -C -f`): every new line inside its contexts.
 * Checking this is checking the whole new config, because every other line already passed the check
 * when it was applied; and it costs O(change) instead of O(config).
 */
export function deltaConfigText(edits: readonly ConfigEdit[]): string {
  return positionedCommands(edits)
    .map((c) => `${' '.repeat(c.depth)}${c.command}\n`)
    .join('');
}

function updateContext(
  nodes: ConfigTree,
  path: ContextPath,
  change: (children: ConfigTree) => ConfigTree,
): ConfigTree {
  const [head, ...rest] = path;
  if (head === undefined) return change(nodes);
  return nodes.map((node): ConfigNode =>
    node.context && node.line === head
      ? { ...node, children: updateContext(node.children, rest, change) }
      : node,
  );
}

function plainLine(line: string): ConfigNode {
  return { line, context: false, children: [] };
}

/** One context's children while a run of edits changes them: O(1) per edit, one copy per run. */
class ChildrenEditor {
  private readonly entries: { node: ConfigNode; alive: boolean }[] = [];
  private readonly byLine = new Map<string, { node: ConfigNode; alive: boolean }[]>();

  constructor(nodes: ConfigTree) {
    for (const node of nodes) this.append(node);
  }

  append(node: ConfigNode): void {
    const entry = { node, alive: true };
    this.entries.push(entry);
    const same = this.byLine.get(node.line);
    if (same === undefined) this.byLine.set(node.line, [entry]);
    else same.push(entry);
  }

  /** every child with this line (context or not) */
  remove(line: string): void {
    for (const entry of this.byLine.get(line) ?? []) entry.alive = false;
    this.byLine.delete(line);
  }

  nodes(): ConfigTree {
    return this.entries.filter((entry) => entry.alive).map((entry) => entry.node);
  }
}

function applyRun(nodes: ConfigTree, run: readonly ConfigEdit[]): ConfigTree {
  const children = new ChildrenEditor(nodes);
  for (const edit of run) {
    switch (edit.kind) {
      case 'add-line':
        children.append(plainLine(edit.line));
        break;
      case 'replace-line':
        children.remove(edit.old);
        children.append(plainLine(edit.line));
        break;
      case 'remove-line':
      case 'remove-context':
        children.remove(edit.line);
        break;
      case 'add-context':
        children.remove(edit.line);
        children.append({ line: edit.line, context: true, children: edit.children.map(plainLine) });
    }
  }
  return children.nodes();
}

const samePath = (a: ContextPath, b: ContextPath) =>
  a.length === b.length && commonPrefixLength(a, b) === a.length;

/**
 * The tree after the edits, as FRR would hold it: used to predict the running config after an
 * incremental apply (compared with `canonicalConfig`, so order does not matter). Consecutive edits of
 * one context are applied in one pass over it: 500 network lines in a context of 10,000 copy it once,
 * not 500 times.
 */
export function applyEdits(tree: ConfigTree, edits: readonly ConfigEdit[]): ConfigTree {
  let current = tree;
  for (let start = 0; start < edits.length;) {
    const path = edits[start]?.path ?? [];
    let end = start + 1;
    while (end < edits.length && samePath(edits[end]?.path ?? [], path)) end++;
    const run = edits.slice(start, end);
    current = updateContext(current, path, (nodes) => applyRun(nodes, run));
    start = end;
  }
  return current;
}
