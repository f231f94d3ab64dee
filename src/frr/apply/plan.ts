// How to get FRR from one config ferry rendered to the next: nothing, a few vtysh commands, or a full
// frr-reload.py run. Pure. Both texts come from ferry's renderer (same format, same order, same
// spelling), so a line-level diff is exact; FRR's own printing never enters here.
//
// Incremental (one vtysh call) covers exactly what Service churn changes (docs/decisions/0001):
// - `network P route-map R` lines in an address family: added, removed, route map changed in place;
// - `bgp large-community-list standard ferry-c-…` lines: added, removed;
// - class route maps `ferry-c-*` and entries of `*-out` route maps: added, removed, modified in place
//   (`set …` / `no set …`; an entry that still exists is never deleted and re-added, so no route is
//   transiently denied).
// Everything else goes through frr-reload.py (`full`): neighbors and their options (remote-as, timers,
// passwords, BFD, update-source, …), router-level settings, routers / VRFs / address families appearing
// or disappearing, `-in` route maps, BFD profiles, log settings, any line ferry does not render today.
import { isNetworkLine, parseRouterBgpLine } from './bgp-lines.js';
import { applyEdits, vtyshCommandsFor, type ConfigEdit, type ContextPath } from './config-edit.js';
import type { PlannedEdits } from './desired-config.js';
import { canonicalConfig, parseConfigTree, type ConfigNode, type ConfigTree } from './config-tree.js';
import { networkChurnEdits } from './network-churn.js';
import { redactSecrets } from './redact.js';

export type ApplyPlan =
  | { readonly kind: 'noop' }
  | {
      readonly kind: 'incremental';
      readonly edits: readonly ConfigEdit[];
      readonly commands: readonly string[];
    }
  /** `reason` names what needs frr-reload.py; passwords redacted */
  | { readonly kind: 'full'; readonly reason: string };

/** Why a change needs frr-reload.py (internal: returned, never thrown). */
interface NeedsReload {
  readonly reload: string;
}

type Outcome<T> = T | NeedsReload;

function needsReload(value: unknown): value is NeedsReload {
  return typeof value === 'object' && value !== null && 'reload' in value;
}

const LARGE_COMMUNITY_LIST = /^bgp large-community-list standard (ferry-c-\S+) seq (\d+) permit \S+$/;
const ROUTE_MAP_ENTRY = /^route-map (\S+) (permit|deny) (\d+)$/;
const CLASS_ROUTE_MAP = /^ferry-c-\S+$/;
const OUT_ROUTE_MAP = /^\S+-out$/;

interface RouteMapEntry {
  readonly name: string;
  readonly action: string;
  readonly sequence: number;
  readonly node: ConfigNode;
}

function quote(line: string): string {
  return `"${redactSecrets(line)}"`;
}

/** The command a line sets, for lines FRR replaces in place: `network P`, `set community`, `match large-community`. */
function commandKey(line: string): string {
  const second = line.indexOf(' ', line.indexOf(' ') + 1);
  return second < 0 ? line : line.slice(0, second);
}

function lineSet(nodes: readonly ConfigNode[]): Set<string> {
  return new Set(
    nodes.map((node) => (node.context ? `${node.line}{${canonicalConfig(node.children)}}` : node.line)),
  );
}

/** The first line present in one list and not the other, as a reason. */
function firstDifference(where: string, before: readonly ConfigNode[], after: readonly ConfigNode[]): string {
  const old = lineSet(before);
  const now = lineSet(after);
  const added = [...now].find((line) => !old.has(line));
  if (added !== undefined) return `${where}: ${quote(added.split('{')[0] ?? added)} added or changed`;
  const removed = [...old].find((line) => !now.has(line));
  return `${where}: ${quote((removed ?? '').split('{')[0] ?? '')} removed or changed`;
}

function sameNodes(a: readonly ConfigNode[], b: readonly ConfigNode[]): boolean {
  return canonicalConfig(a) === canonicalConfig(b);
}

/**
 * Line edits turning one list of lines into another, keyed by command: a command present in both
 * with another value is replaced in place. Duplicate commands cannot be keyed: reload.
 */
function lineEdits(
  path: ContextPath,
  before: readonly ConfigNode[],
  after: readonly ConfigNode[],
): Outcome<ConfigEdit[]> {
  const keyed = (nodes: readonly ConfigNode[]): Outcome<Map<string, string>> => {
    const map = new Map<string, string>();
    for (const node of nodes) {
      if (node.context) return { reload: `${path.join(' / ')}: nested ${quote(node.line)}` };
      const key = commandKey(node.line);
      if (map.has(key)) return { reload: `${path.join(' / ')}: ${quote(key)} appears twice` };
      map.set(key, node.line);
    }
    return map;
  };
  const old = keyed(before);
  if (needsReload(old)) return old;
  const now = keyed(after);
  if (needsReload(now)) return now;
  const adds: ConfigEdit[] = [];
  const removes: ConfigEdit[] = [];
  for (const [key, line] of now) {
    const previous = old.get(key);
    if (previous === undefined) adds.push({ kind: 'add-line', path, line });
    else if (previous !== line) adds.push({ kind: 'replace-line', path, old: previous, line });
  }
  for (const [key, line] of old) if (!now.has(key)) removes.push({ kind: 'remove-line', path, line });
  return [...adds, ...removes];
}

function routeMapEntries(tree: ConfigTree): Map<string, RouteMapEntry> {
  const entries = new Map<string, RouteMapEntry>();
  for (const node of tree) {
    const match = node.context ? ROUTE_MAP_ENTRY.exec(node.line) : null;
    if (match === null) continue;
    const [, name = '', action = '', sequence = '0'] = match;
    entries.set(`${name} ${sequence}`, { name, action, sequence: Number(sequence), node });
  }
  return entries;
}

function isRouteMapEntry(node: ConfigNode): boolean {
  return node.context && ROUTE_MAP_ENTRY.test(node.line);
}

interface RouteMapChanges {
  readonly classAdds: ConfigEdit[];
  readonly classModifications: ConfigEdit[];
  readonly outAdds: ConfigEdit[];
  readonly outModifications: ConfigEdit[];
  readonly outRemovals: ConfigEdit[];
  readonly classRemovals: ConfigEdit[];
}

/**
 * Orders in-place modifications of one out route map so that an entry's old content, when it still
 * exists at another sequence in the next config, is installed there before its old slot is
 * overwritten: a class moving from seq 20 to 30 is matched at every moment.
 */
function orderOutModifications(
  modifications: readonly { entry: RouteMapEntry; next: ConfigNode; edits: ConfigEdit[] }[],
  before: ReadonlyMap<string, RouteMapEntry>,
  after: ReadonlyMap<string, RouteMapEntry>,
): ConfigEdit[] {
  const content = (node: ConfigNode) => canonicalConfig(node.children);
  const ordered: ConfigEdit[] = [];
  const byMap = new Map<string, typeof modifications>();
  for (const m of modifications) byMap.set(m.entry.name, [...(byMap.get(m.entry.name) ?? []), m]);
  for (const [name, list] of byMap) {
    // What each sequence of this map holds right now: the old entries plus the added ones.
    const current = new Map<number, string>();
    const survivors = new Set<string>();
    for (const e of after.values()) if (e.name === name) survivors.add(content(e.node));
    for (const e of before.values()) if (e.name === name) current.set(e.sequence, content(e.node));
    for (const e of after.values()) {
      if (e.name === name && !before.has(`${name} ${e.sequence}`)) current.set(e.sequence, content(e.node));
    }
    const pending = [...list];
    while (pending.length > 0) {
      const ready = pending.findIndex((m) => {
        const old = content(m.entry.node);
        if (!survivors.has(old)) return true;
        return [...current].some(([sequence, held]) => sequence !== m.entry.sequence && held === old);
      });
      // A cycle cannot happen with ferry's numbering (entries keep their relative order); take any.
      const [chosen] = pending.splice(ready >= 0 ? ready : 0, 1);
      if (chosen === undefined) break;
      current.set(chosen.entry.sequence, content(chosen.next));
      ordered.push(...chosen.edits);
    }
  }
  return ordered;
}

function routeMapChanges(before: ConfigTree, after: ConfigTree): Outcome<RouteMapChanges> {
  const old = routeMapEntries(before);
  const now = routeMapEntries(after);
  const oldNames = new Set([...old.values()].map((e) => e.name));
  const newNames = new Set([...now.values()].map((e) => e.name));
  const changes: RouteMapChanges = {
    classAdds: [],
    classModifications: [],
    outAdds: [],
    outModifications: [],
    outRemovals: [],
    classRemovals: [],
  };
  const outModifications: { entry: RouteMapEntry; next: ConfigNode; edits: ConfigEdit[] }[] = [];
  const kindOf = (name: string) =>
    CLASS_ROUTE_MAP.test(name) ? 'class' : OUT_ROUTE_MAP.test(name) ? 'out' : undefined;

  for (const [key, entry] of now) {
    const kind = kindOf(entry.name);
    const previous = old.get(key);
    if (previous === undefined) {
      // A new out route map means a new neighbor: that is a session change.
      if (kind === undefined || (kind === 'out' && !oldNames.has(entry.name))) {
        return { reload: `route map entry ${quote(entry.node.line)} added` };
      }
      const add: ConfigEdit = {
        kind: 'add-context',
        path: [],
        line: entry.node.line,
        children: entry.node.children.map((c) => c.line),
      };
      (kind === 'class' ? changes.classAdds : changes.outAdds).push(add);
      continue;
    }
    if (sameNodes(previous.node.children, entry.node.children) && previous.action === entry.action) continue;
    if (kind === undefined) return { reload: `route map entry ${quote(entry.node.line)} changed` };
    // FRR turns `route-map X deny 20` over an existing `permit 20` into a new entry; keep it exact.
    if (previous.action !== entry.action)
      return { reload: `route map entry ${quote(entry.node.line)} changed action` };
    const edits = lineEdits([entry.node.line], previous.node.children, entry.node.children);
    if (needsReload(edits)) return edits;
    if (kind === 'class') changes.classModifications.push(...edits);
    else outModifications.push({ entry: previous, next: entry.node, edits });
  }
  for (const [key, entry] of old) {
    if (now.has(key)) continue;
    const kind = kindOf(entry.name);
    if (kind === undefined || (kind === 'out' && !newNames.has(entry.name))) {
      return { reload: `route map entry ${quote(entry.node.line)} removed` };
    }
    const remove: ConfigEdit = { kind: 'remove-context', path: [], line: entry.node.line };
    (kind === 'class' ? changes.classRemovals : changes.outRemovals).push(remove);
  }
  changes.outModifications.push(...orderOutModifications(outModifications, old, now));
  return changes;
}

interface ListChanges {
  readonly adds: ConfigEdit[];
  readonly removes: ConfigEdit[];
}

function topLevelLineChanges(before: ConfigTree, after: ConfigTree): Outcome<ListChanges> {
  const old = new Set(before.filter((n) => !n.context).map((n) => n.line));
  const now = new Set(after.filter((n) => !n.context).map((n) => n.line));
  const added = [...now].filter((line) => !old.has(line));
  const removed = [...old].filter((line) => !now.has(line));
  const listKey = (line: string) => {
    const match = LARGE_COMMUNITY_LIST.exec(line);
    return match === null ? undefined : `${match[1]} ${match[2]}`;
  };
  for (const line of [...added, ...removed]) {
    if (listKey(line) === undefined) return { reload: `top-level line ${quote(line)} added or removed` };
  }
  const removedKeys = new Set(removed.map(listKey));
  const changed = added.find((line) => removedKeys.has(listKey(line)));
  // Same list and sequence with another value: FRR would replace it, and the later `no` would fail.
  if (changed !== undefined) return { reload: `large-community list ${quote(changed)} changed in place` };
  return {
    adds: added.map((line) => ({ kind: 'add-line', path: [], line })),
    removes: removed.map((line) => ({ kind: 'remove-line', path: [], line })),
  };
}

function networkEdits(
  path: ContextPath,
  before: readonly ConfigNode[],
  after: readonly ConfigNode[],
): Outcome<ConfigEdit[]> {
  const isNetwork = (node: ConfigNode) => !node.context && isNetworkLine(node.line);
  const others = (nodes: readonly ConfigNode[]) => nodes.filter((node) => !isNetwork(node));
  if (!sameNodes(others(before), others(after))) {
    return { reload: firstDifference(path.join(' / '), others(before), others(after)) };
  }
  return lineEdits(path, before.filter(isNetwork), after.filter(isNetwork));
}

function routerEdits(before: ConfigNode, after: ConfigNode): Outcome<ConfigEdit[]> {
  const plain = (node: ConfigNode) => node.children.filter((child) => !child.context);
  if (!sameNodes(plain(before), plain(after)))
    return { reload: firstDifference(before.line, plain(before), plain(after)) };
  const families = (node: ConfigNode) =>
    new Map(node.children.filter((c) => c.context).map((c) => [c.line, c]));
  const old = families(before);
  const now = families(after);
  const addedOrRemoved = [...now.keys()]
    .filter((k) => !old.has(k))
    .concat([...old.keys()].filter((k) => !now.has(k)));
  if (addedOrRemoved.length > 0)
    return { reload: `${before.line}: ${quote(addedOrRemoved[0] ?? '')} added or removed` };
  const edits: ConfigEdit[] = [];
  for (const [line, family] of now) {
    const previous = old.get(line);
    if (previous === undefined) continue;
    const familyEdits = networkEdits([before.line, line], previous.children, family.children);
    if (needsReload(familyEdits)) return familyEdits;
    edits.push(...familyEdits);
  }
  return edits;
}

function otherContextEdits(before: ConfigTree, after: ConfigTree): Outcome<ConfigEdit[]> {
  const contexts = (tree: ConfigTree) =>
    new Map(tree.filter((n) => n.context && !isRouteMapEntry(n)).map((n) => [n.line, n]));
  const old = contexts(before);
  const now = contexts(after);
  const edits: ConfigEdit[] = [];
  for (const [line, node] of now) {
    const previous = old.get(line);
    if (previous === undefined) return { reload: `${quote(line)} added` };
    // A router holds every network line: diff it directly instead of comparing it as a whole first.
    if (parseRouterBgpLine(line) === undefined) {
      if (sameNodes(previous.children, node.children)) continue;
      return { reload: `${quote(line)} block changed` };
    }
    const routerChanges = routerEdits(previous, node);
    if (needsReload(routerChanges)) return routerChanges;
    edits.push(...routerChanges);
  }
  for (const line of old.keys()) if (!now.has(line)) return { reload: `${quote(line)} removed` };
  return edits;
}

/** The edits from one rendered config to the next, in the order that never denies a route in between. */
function planEdits(before: ConfigTree, after: ConfigTree): Outcome<ConfigEdit[]> {
  const lists = topLevelLineChanges(before, after);
  if (needsReload(lists)) return lists;
  const routeMaps = routeMapChanges(before, after);
  if (needsReload(routeMaps)) return routeMaps;
  const networks = otherContextEdits(before, after);
  if (needsReload(networks)) return networks;
  return [
    // new lists and class route maps first: a network line may only name what exists
    ...lists.adds,
    ...routeMaps.classAdds,
    ...routeMaps.classModifications,
    // then out route maps, so a new class is permitted before its first prefix is originated
    ...routeMaps.outAdds,
    ...routeMaps.outModifications,
    ...networks,
    // last, what nothing references any more
    ...routeMaps.outRemovals,
    ...routeMaps.classRemovals,
    ...lists.removes,
  ];
}

/** How to move FRR from the config ferry rendered last to the one it renders now. */
export function planChange(previousDesired: string, nextDesired: string): ApplyPlan {
  if (previousDesired === nextDesired) return { kind: 'noop' };
  const churn = networkChurnEdits(previousDesired, nextDesired);
  if (churn !== undefined) return { kind: 'incremental', edits: churn, commands: vtyshCommandsFor(churn) };
  return planChangeBetweenTrees(parseConfigTree(previousDesired), parseConfigTree(nextDesired));
}

/**
 * `planChange` when the producer of the configs already knows the edits (typed network edits from
 * the model, see DesiredConfig): used only when they start from exactly the config FRR runs.
 */
export function planChangeWith(
  previousDesired: string,
  nextDesired: string,
  planned?: PlannedEdits,
): ApplyPlan {
  if (previousDesired === nextDesired) return { kind: 'noop' };
  if (planned !== undefined && planned.from === previousDesired && planned.edits.length > 0)
    return { kind: 'incremental', edits: planned.edits, commands: vtyshCommandsFor(planned.edits) };
  return planChange(previousDesired, nextDesired);
}

/** `planChange` for configs already parsed (the applier keeps the last one parsed). */
export function planChangeBetweenTrees(before: ConfigTree, after: ConfigTree): ApplyPlan {
  // Every difference either becomes an edit or a reason to reload, so no edits means no change
  // (lines or blocks in another order, comments, spacing).
  const edits = planEdits(before, after);
  if (needsReload(edits)) return { kind: 'full', reason: edits.reload };
  if (edits.length === 0) return { kind: 'noop' };
  return { kind: 'incremental', edits, commands: vtyshCommandsFor(edits) };
}

/** The running config FRR should print after an incremental apply, from the one it printed before. */
export function expectedRunningConfig(runningBefore: string, edits: readonly ConfigEdit[]): string {
  return canonicalConfig(applyEdits(parseConfigTree(runningBefore), edits));
}
