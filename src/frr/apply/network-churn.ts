// The fast path of the plan for the change that happens all the time: service IPs of existing
// classes come and go, so two rendered configs differ only in `network` lines of one address family.
// Comparing the texts line by line from both ends finds that in O(lines) string comparisons, without
// building two trees of 10,000 lines (~40 ms of the ~50 ms budget at 10,000 prefixes). Anything else
// returns undefined and the full tree diff decides. Pure; relies on ferry's rendering (templates/):
// networks at two spaces inside ` address-family …` inside `router bgp …` (lines as bgp-lines.ts reads
// them).
import {
  addressFamilyLineText,
  atDepth,
  isRoutedNetworkLine,
  networkLineText,
  parseAddressFamilyLine,
  parseRoutedNetworkLine,
  parseRouterBgpLine,
  routerBgpLineText,
  type NetworkLine,
} from './bgp-lines.js';
import type { ConfigEdit } from './config-edit.js';

/** A network line at its rendered depth (two spaces: inside an address family inside a router). */
function networkAt(line: string | undefined): NetworkLine | undefined {
  return line === undefined ? undefined : parseRoutedNetworkLine(line, 2);
}

/** The family and router a line at `index` sits in, scanning up past its sibling network lines. */
function enclosingFamily(lines: readonly string[], index: number): [string, string] | undefined {
  let i = index;
  while (i >= 0 && isRoutedNetworkLine(lines[i] ?? '', 2)) i--;
  const familyLine = lines[i];
  const family = familyLine === undefined ? undefined : parseAddressFamilyLine(atDepth(familyLine, 1) ?? '');
  if (family === undefined) return undefined;
  // Between the family and its router: the router's own lines (indent 1), `!` separators and earlier
  // families; the first line at column 0 going up is the router.
  for (let j = i - 1; j >= 0; j--) {
    const line = lines[j] ?? '';
    if (line.startsWith(' ') || line === '') continue;
    const router = parseRouterBgpLine(line);
    return router === undefined ? undefined : [routerBgpLineText(router), addressFamilyLineText(family)];
  }
  return undefined;
}

function networksByPrefix(lines: readonly string[]): Map<string, string> | undefined {
  const byPrefix = new Map<string, string>();
  for (const line of lines) {
    const network = networkAt(line);
    if (network === undefined || byPrefix.has(network.prefix)) return undefined;
    byPrefix.set(network.prefix, networkLineText(network));
  }
  return byPrefix;
}

/**
 * The edits between two rendered configs when all they differ in is network lines of one address
 * family; undefined otherwise (including no difference at all).
 */
export function networkChurnEdits(previousDesired: string, nextDesired: string): ConfigEdit[] | undefined {
  const before = previousDesired.split('\n');
  const after = nextDesired.split('\n');
  let start = 0;
  const shorter = Math.min(before.length, after.length);
  while (start < shorter && before[start] === after[start]) start++;
  let end = 0;
  while (end < shorter - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
  const removedRegion = before.slice(start, before.length - end);
  const addedRegion = after.slice(start, after.length - end);
  if (removedRegion.length === 0 && addedRegion.length === 0) return undefined;

  const old = networksByPrefix(removedRegion);
  const now = networksByPrefix(addedRegion);
  if (old === undefined || now === undefined) return undefined;
  // The lines above the change are the same in both texts, so the family of the line just above it
  // (that family's line or one of its networks) is where every changed line sits: a run of network
  // lines cannot cross the end of a family.
  const place = enclosingFamily(before, start - 1);
  if (place === undefined) return undefined;

  const adds: ConfigEdit[] = [];
  const removes: ConfigEdit[] = [];
  for (const [prefix, line] of now) {
    const previous = old.get(prefix);
    if (previous === undefined) adds.push({ kind: 'add-line', path: place, line });
    else if (previous !== line) adds.push({ kind: 'replace-line', path: place, old: previous, line });
  }
  for (const [prefix, line] of old)
    if (!now.has(prefix)) removes.push({ kind: 'remove-line', path: place, line });
  const edits = [...adds, ...removes];
  return edits.length > 0 ? edits : undefined;
}
