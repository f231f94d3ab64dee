// FRR config text → a tree of contexts and lines. Reads both ferry's rendered frr.conf and
// `show running-config` output, so the apply engine can diff two configs and compare what FRR prints.
// Pure. FRR 8.4 closes every context with `exit` (`exit-address-family`, `exit-vrf`, ...); indentation
// is the fallback for text that only separates blocks with `!`.

/** One command line; a context (`router bgp 65100`, `route-map X permit 10`) holds its lines. */
export interface ConfigNode {
  /** the command, trimmed, inner whitespace collapsed to one space */
  readonly line: string;
  /** true when the line opened a context, even an empty one (`route-map X-in deny 20` / `exit`) */
  readonly context: boolean;
  readonly children: readonly ConfigNode[];
}

export type ConfigTree = readonly ConfigNode[];

// Lines that carry nothing: vtysh's banner and trailer around `show running-config`, comments.
const NOISE = /^(Building configuration\.\.\.|Current configuration:|end|!.*|#.*)$/;

// Contexts opened at the top level. Anything else at the top level is a plain line.
const TOP_LEVEL_CONTEXT =
  /^(router \S+|route-map \S+ (permit|deny) \d+|bfd|interface \S+|vrf \S+|line vty|key chain \S+|nexthop-group \S+|pbr-map \S+ seq \d+|segment-routing|mpls ldp|l2vpn \S+ type vpls|rpki|affinity-map \S+)(\s.*)?$/;

// Contexts nested in a context whose opener matches the key.
const NESTED_CONTEXTS: readonly { readonly parent: RegExp; readonly child: RegExp }[] = [
  { parent: /^router bgp\b/, child: /^(address-family \S+( \S+)?|vni \S+|segment-routing srv6)$/ },
  { parent: /^address-family l2vpn evpn$/, child: /^vni \S+$/ },
  { parent: /^bfd$/, child: /^(profile \S+|peer \S+.*)$/ },
  { parent: /^interface\b/, child: /^link-params$/ },
  { parent: /^key chain\b/, child: /^key \d+$/ },
  { parent: /^mpls ldp$/, child: /^address-family \S+$/ },
];

// Closers and what they close; plain `exit` closes the innermost context.
const CLOSERS: ReadonlyMap<string, RegExp> = new Map([
  ['exit', /.*/],
  ['exit-address-family', /^address-family\b/],
  ['exit-vrf', /^vrf\b/],
  ['exit-link-params', /^link-params$/],
  ['exit-vni', /^vni\b/],
]);

interface OpenContext {
  readonly line: string;
  readonly indent: number;
  readonly children: ConfigNode[];
  /** the nested contexts this one can hold, looked up once when it opens (10,000 lines per family) */
  readonly childContexts: readonly RegExp[];
}

const INNER_WHITESPACE = /\s{2,}|\t/;

function normalized(line: string): string {
  const trimmed = line.trim();
  return INNER_WHITESPACE.test(trimmed) ? trimmed.replace(/\s+/g, ' ') : trimmed;
}

function indentOf(raw: string): number {
  let indent = 0;
  while (raw.charCodeAt(indent) === 32 || raw.charCodeAt(indent) === 9) indent++;
  return indent;
}

/** Cheap first-character test before the noise regex: almost every line is a plain command. */
function isNoise(line: string): boolean {
  const first = line.charCodeAt(0);
  // '!' '#' 'B' 'C' 'e'
  return (first === 33 || first === 35 || first === 66 || first === 67 || first === 101) && NOISE.test(line);
}

function opensContext(line: string, stack: readonly OpenContext[]): boolean {
  const parent = stack[stack.length - 1];
  if (parent === undefined) return TOP_LEVEL_CONTEXT.test(line);
  return parent.childContexts.some((child) => child.test(line));
}

function childContextsOf(line: string): RegExp[] {
  return NESTED_CONTEXTS.filter((rule) => rule.parent.test(line)).map((rule) => rule.child);
}

/** Parses FRR config text (rendered or `show running-config`) into its contexts and lines. */
export function parseConfigTree(text: string): ConfigTree {
  const root: ConfigNode[] = [];
  const stack: OpenContext[] = [];
  const childrenOfTop = () => stack[stack.length - 1]?.children ?? root;
  const close = () => {
    const closed = stack.pop();
    if (closed !== undefined)
      childrenOfTop().push({ line: closed.line, context: true, children: closed.children });
  };

  for (const raw of text.split('\n')) {
    const line = normalized(raw);
    if (line === '' || isNoise(line)) continue;
    const closes = CLOSERS.get(line);
    if (closes !== undefined) {
      // Close up to and including the innermost context this closer belongs to.
      const index = stack.findLastIndex((context) => closes.test(context.line));
      if (index >= 0) while (stack.length > index) close();
      continue;
    }
    // Indentation fallback: a line indented no deeper than an open context's opener is outside it.
    const indent = indentOf(raw);
    while (stack.length > 0 && indent <= (stack[stack.length - 1]?.indent ?? -1)) close();
    if (opensContext(line, stack)) {
      stack.push({ line, indent, children: [], childContexts: childContextsOf(line) });
    } else {
      childrenOfTop().push({ line, context: false, children: [] });
    }
  }
  while (stack.length > 0) close();
  return root;
}

/** The tree printed back as FRR config text, one space of indentation per level. */
export function printConfigTree(tree: ConfigTree): string {
  const out: string[] = [];
  const visit = (nodes: ConfigTree, depth: number) => {
    for (const node of nodes) {
      out.push(' '.repeat(depth) + node.line);
      if (node.context) {
        visit(node.children, depth + 1);
        out.push(
          ' '.repeat(depth) + (node.line.startsWith('address-family') ? 'exit-address-family' : 'exit'),
        );
      }
    }
  };
  visit(tree, 0);
  return out.map((line) => `${line}\n`).join('');
}

/**
 * A text form that ignores the order of lines and contexts: FRR prints blocks in its own order
 * (route maps after `router bgp`, settings in its own order), so two configs that mean the same thing
 * compare equal here.
 */
export function canonicalConfig(tree: ConfigTree): string {
  const canonical = (nodes: ConfigTree): string[] =>
    nodes
      .map((node) => (node.context ? `${node.line}{${canonical(node.children).join(';')}}` : node.line))
      .sort();
  return canonical(tree).join('\n');
}

/** The top-level node with exactly this line, if any. */
export function findNode(nodes: ConfigTree, line: string): ConfigNode | undefined {
  return nodes.find((node) => node.line === line);
}
