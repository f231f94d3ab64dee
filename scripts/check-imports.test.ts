import { packageRoot } from '../src/util/package-root.js';
import {
  importProblems,
  importSpecifiers,
  moduleCycles,
  moduleOf,
  repositoryGraph,
  resolveSpecifier,
  type ImportGraph,
} from './check-imports.js';

const graph = (entries: Record<string, string[]>): ImportGraph => new Map(Object.entries(entries));

describe('check-imports', () => {
  it('reads static, type-only, re-exported and dynamic relative imports, not packages', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../b/b.js';",
      "export * from './c.js';",
      "export type { D } from './d.js';",
      "const e = await import('./e.js');",
      "import { readFile } from 'node:fs';",
      "import ts from 'typescript';",
    ].join('\n');
    expect(importSpecifiers(text)).toEqual(['./a.js', '../b/b.js', './c.js', './d.js', './e.js']);
  });

  it('resolves a .js specifier to the .ts source, or a folder to its index', () => {
    const files = new Set(['src/config/types.ts', 'src/k8s/index.ts']);
    const exists = (path: string) => files.has(path);
    expect(resolveSpecifier('src/api/x.ts', '../config/types.js', exists)).toBe('src/config/types.ts');
    expect(resolveSpecifier('src/cli/x.ts', '../k8s', exists)).toBe('src/k8s/index.ts');
  });

  it('names modules by their top-level folder', () => {
    expect(moduleOf('src/frr/apply/plan.ts')).toBe('src/frr');
    expect(moduleOf('test/support/builders.ts')).toBe('test/support');
    expect(moduleOf('e2e/apiserver/server.ts')).toBe('e2e/apiserver');
    expect(moduleOf('bench/lab.ts')).toBe('bench');
  });

  it('accepts arrows that only go down', () => {
    const layered = graph({
      'src/config/build.ts': ['src/api/manifests.ts', 'src/util/order.ts'],
      'src/api/manifests.ts': ['src/util/order.ts', 'src/api/resources.ts'],
      'src/api/resources.ts': [],
      'src/util/order.ts': [],
    });
    expect(importProblems(layered)).toEqual([]);
  });

  it('catches a cycle between two modules, even through type-only imports in other files', () => {
    const cyclic = graph({
      'src/api/manifests.ts': ['src/config/problem.ts'],
      'src/config/problem.ts': [],
      'src/config/build.ts': ['src/api/manifests.ts'],
    });
    expect(importProblems(cyclic)).toEqual(['import cycle between modules: src/api → src/config → src/api']);
  });

  it('catches a cycle through three modules and names a closed path', () => {
    const cyclic = graph({
      'src/a/x.ts': ['src/b/x.ts'],
      'src/b/x.ts': ['src/c/x.ts'],
      'src/c/x.ts': ['src/a/y.ts'],
      'src/a/y.ts': [],
    });
    expect(moduleCycles(cyclic)).toEqual([['src/a', 'src/b', 'src/c']]);
  });

  it('leaves tests out of cycles: a test may use any layer', () => {
    const withTest = graph({
      'src/config/build.ts': ['src/api/manifests.ts'],
      'src/api/manifests.ts': [],
      'src/api/manifests.test.ts': ['src/config/build.ts', 'test/support/builders.ts'],
      'test/support/builders.ts': ['src/config/build.ts'],
    });
    expect(importProblems(withTest)).toEqual([]);
  });

  it('catches product code importing anything outside src/, and anything importing a test file', () => {
    const forbidden = graph({
      'src/announce/peers.ts': ['test/support/builders.ts'],
      'src/k8s/client.ts': ['e2e/apiserver/server.ts'],
      'src/net/ip.ts': ['scripts/regenerate-goldens.ts'],
      'scripts/regenerate-goldens.ts': [],
      'bench/lab.ts': ['src/frr/render.test.ts'],
      'test/support/builders.ts': [],
      'e2e/apiserver/server.ts': [],
    });
    expect(importProblems(forbidden)).toEqual([
      'src/announce/peers.ts imports test/support/builders.ts: product code imports only src/ (not test support, e2e/, bench/ or scripts/)',
      'src/k8s/client.ts imports e2e/apiserver/server.ts: product code imports only src/ (not test support, e2e/, bench/ or scripts/)',
      'src/net/ip.ts imports scripts/regenerate-goldens.ts: product code imports only src/ (not test support, e2e/, bench/ or scripts/)',
      'bench/lab.ts imports the test file src/frr/render.test.ts',
    ]);
  });

  it('allows exactly the lab seam: src/lab/apiserver-seam.ts bringing the in-memory API server', () => {
    const seam = graph({
      'src/lab/apiserver-seam.ts': ['e2e/apiserver/server.ts'],
      'src/lab/cluster-lab.ts': ['e2e/apiserver/server.ts'],
      'src/lab/fabric.ts': ['e2e/apiserver/store.ts'],
      'e2e/apiserver/server.ts': ['e2e/apiserver/store.ts'],
      'e2e/apiserver/store.ts': [],
    });
    expect(importProblems(seam)).toEqual([
      'src/lab/cluster-lab.ts imports e2e/apiserver/server.ts: product code imports only src/ (not test support, e2e/, bench/ or scripts/)',
      'src/lab/fabric.ts imports e2e/apiserver/store.ts: product code imports only src/ (not test support, e2e/, bench/ or scripts/)',
    ]);
  });

  it('passes on this repository', () => {
    expect(importProblems(repositoryGraph(packageRoot()))).toEqual([]);
  });
});
