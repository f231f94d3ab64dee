// The layering check of `npm run lint`: reads every relative import of the repository's TypeScript and
// fails on (1) an import cycle between modules and (2) product code (non-test files under src/)
// importing anything outside src/ (test/, e2e/, bench/, scripts/), except the one seam that lets
// `ferry lab` run the in-memory API server.
// Imports are read with TypeScript's own pre-processor, so `import type`, re-exports and dynamic
// `import()` all count: a type-only arrow is still an arrow between layers.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** Repository-relative, '/'-separated path of a .ts file → the relative import targets it names. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

/** An import product code may make outside src/: `from` imports `to`. */
export interface Seam {
  readonly from: string;
  readonly to: string;
}

/** `ferry lab` runs the in-memory API server of e2e/apiserver; only src/lab/apiserver-seam.ts imports it. */
export const LAB_SEAM: Seam = { from: 'src/lab/apiserver-seam.ts', to: 'e2e/apiserver/server.ts' };

const ROOTS = ['src', 'test', 'e2e', 'bench', 'scripts'];

export function isTestFile(path: string): boolean {
  return path.endsWith('.test.ts');
}

function isProduct(path: string): boolean {
  return path.startsWith('src/') && !isTestFile(path);
}

/**
 * The module a file belongs to: its top-level folder under src/, test/ or e2e/ (`src/frr/apply/plan.ts`
 * → `src/frr`), or bench / scripts as a whole.
 */
export function moduleOf(path: string): string {
  const parts = path.split('/');
  if ((parts[0] === 'src' || parts[0] === 'test' || parts[0] === 'e2e') && parts.length > 2)
    return `${parts[0]}/${parts[1]}`;
  return parts[0] ?? path;
}

/** The relative import specifiers of one source text (static, type-only, re-exports, dynamic). */
export function importSpecifiers(text: string): string[] {
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((entry) => entry.fileName)
    .filter((name) => name.startsWith('./') || name.startsWith('../'));
}

/** `./x.js` seen from `from` → the repository path of the .ts file (or the target as written). */
export function resolveSpecifier(from: string, specifier: string, exists: (path: string) => boolean): string {
  const target = posix.normalize(posix.join(posix.dirname(from), specifier));
  const candidates = [target.replace(/\.js$/, '.ts'), `${target}.ts`, `${target}/index.ts`];
  return candidates.find(exists) ?? target;
}

/** Every problem in `graph`, one sentence each; empty when the layering holds. */
export function importProblems(graph: ImportGraph, seams: readonly Seam[] = [LAB_SEAM]): string[] {
  const problems: string[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      if (isTestFile(to)) problems.push(`${from} imports the test file ${to}`);
      else if (
        isProduct(from) &&
        !to.startsWith('src/') &&
        !seams.some((seam) => seam.from === from && seam.to === to)
      )
        problems.push(
          `${from} imports ${to}: product code imports only src/ (not test support, e2e/, bench/ or scripts/)`,
        );
    }
  }
  for (const cycle of moduleCycles(graph))
    problems.push(`import cycle between modules: ${[...cycle, cycle[0]].join(' → ')}`);
  return problems;
}

/**
 * The cycles of the module graph: one closed path per strongly connected component of two or more
 * modules (imports inside a module are free). Test files are leaves (nothing may import them), so
 * their arrows are left out: a test may use any layer.
 */
export function moduleCycles(graph: ImportGraph): string[][] {
  const edges = new Map<string, Set<string>>();
  for (const [from, targets] of graph) {
    if (isTestFile(from)) continue;
    const source = moduleOf(from);
    for (const to of targets) {
      const target = moduleOf(to);
      if (target === source) continue;
      if (!edges.has(source)) edges.set(source, new Set());
      edges.get(source)?.add(target);
    }
  }
  return stronglyConnected(edges)
    .filter((component) => component.length > 1)
    .map((component) => closedPath(component, edges));
}

// Tarjan's algorithm; components come out with their modules sorted, in sorted order of their first.
function stronglyConnected(edges: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const nodes = [...new Set([...edges.keys(), ...[...edges.values()].flatMap((set) => [...set])])].sort();
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node) ?? 0);
    stack.push(node);
    onStack.add(node);
    for (const next of [...(edges.get(node) ?? [])].sort()) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node) ?? 0, index.get(next) ?? 0));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    for (;;) {
      const member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      component.push(member);
      if (member === node) break;
    }
    components.push(component.sort());
  };
  for (const node of nodes) if (!index.has(node)) visit(node);
  return components.sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
}

// A shortest path from the component's first module back to itself, inside the component.
function closedPath(component: readonly string[], edges: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const inside = new Set(component);
  const start = component[0] ?? '';
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift() ?? '';
    for (const next of [...(edges.get(node) ?? [])].sort()) {
      if (!inside.has(next)) continue;
      if (next === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(previous.get(path[0] ?? '') ?? start);
        return path;
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [...component];
}

function sourceFiles(root: string, directory: string): string[] {
  const absolute = join(root, directory);
  if (!existsSync(absolute)) return [];
  return readdirSync(absolute, { withFileTypes: true }).flatMap((entry) => {
    const path = `${directory}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === 'testdata' ? [] : sourceFiles(root, path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The import graph of the repository at `root`. */
export function repositoryGraph(root: string): Map<string, string[]> {
  const exists = (path: string): boolean => existsSync(join(root, path));
  const graph = new Map<string, string[]>();
  for (const file of ROOTS.flatMap((directory) => sourceFiles(root, directory))) {
    const text = readFileSync(join(root, file), 'utf8');
    const targets = importSpecifiers(text).map((specifier) => resolveSpecifier(file, specifier, exists));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

// Run directly (`node dist/scripts/check-imports.js`): from dist/scripts/ the repository is two up.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const graph = repositoryGraph(root);
  const problems = importProblems(graph);
  for (const problem of problems) console.error(`check-imports: ${problem}`);
  if (problems.length > 0) process.exit(1);
  console.log(`check-imports: ${graph.size} files, no cycle, no product import of test code`);
}
