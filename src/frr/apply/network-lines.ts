// The part of an FRR config that decides which prefixes a node originates: the `network` lines of
// every `router bgp … / address-family …`. A stale line here is a route at the ToR for a Service
// that no longer exists or has no ready endpoint, so the applier compares this projection of FRR's
// running config with the desired config itself, never only with what it remembers having applied.
// FRR prints these lines exactly as ferry renders them (prefix in canonical form, route map name).
// Pure.
import type { ConfigTree } from './config-tree.js';

const ROUTER = /^router bgp\b/;
const FAMILY = /^address-family\b/;
const NETWORK = /^network \S+/;

/** Every network line as `router / family / line`, sorted: equal strings mean the same origination. */
export function networkLines(tree: ConfigTree): string[] {
  const lines: string[] = [];
  for (const router of tree) {
    if (!router.context || !ROUTER.test(router.line)) continue;
    for (const family of router.children) {
      if (!family.context || !FAMILY.test(family.line)) continue;
      for (const line of family.children)
        if (!line.context && NETWORK.test(line.line))
          lines.push(`${router.line} / ${family.line} / ${line.line}`);
    }
  }
  return lines.sort();
}

/** What `running` originates and `desired` does not (`extra`), and the reverse (`missing`). */
export function networkLineDifference(
  running: readonly string[],
  desired: readonly string[],
): { readonly extra: string[]; readonly missing: string[] } {
  const want = new Set(desired);
  const have = new Set(running);
  return {
    extra: running.filter((line) => !want.has(line)),
    missing: desired.filter((line) => !have.has(line)),
  };
}
