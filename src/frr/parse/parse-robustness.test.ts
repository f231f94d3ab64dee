// FRR output changes between versions and states: no parser may throw, whatever JSON it is given.
import fc from 'fast-check';
import { parseAdvertisedRoutes, parsePrefixAdvertisement } from './advertised-routes.js';
import { parseBfdCounters } from './bfd-counters.js';
import { parseBfdPeers } from './bfd-peers.js';
import { parseBgpNeighbors, parseBgpNeighborsAllVrfs } from './bgp-neighbors.js';
import { parseBgpSummary, parseBgpSummaryAllVrfs } from './bgp-summary.js';
import { fixture, fixtureNames } from './testdata/fixtures.js';

const parsers: [string, (document: unknown) => unknown][] = [
  ['parseBgpNeighbors', (d) => parseBgpNeighbors(d)],
  ['parseBgpNeighborsAllVrfs', parseBgpNeighborsAllVrfs],
  ['parseBgpSummary', (d) => parseBgpSummary(d)],
  ['parseBgpSummaryAllVrfs', parseBgpSummaryAllVrfs],
  ['parseBfdPeers', parseBfdPeers],
  ['parseBfdCounters', parseBfdCounters],
  ['parseAdvertisedRoutes', parseAdvertisedRoutes],
  ['parsePrefixAdvertisement', parsePrefixAdvertisement],
];

/** Every key the fixtures use, so random documents reach the parsers' inner paths. */
function fixtureKeys(): string[] {
  const keys = new Set<string>(['__proto__', 'constructor', 'default']);
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) {
        keys.add(key);
        visit(child);
      }
    }
  };
  fixtureNames(/./).forEach((name) => visit(fixture(name)));
  return [...keys];
}

const { frrLike } = fc.letrec((tie) => ({
  frrLike: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.jsonValue({ maxDepth: 1 }),
    fc.dictionary(fc.constantFrom(...fixtureKeys()), tie('frrLike'), { maxKeys: 8 }),
    fc.array(tie('frrLike'), { maxLength: 4 }),
  ),
}));

describe.each(parsers)('%s', (_name, parse) => {
  it('never throws on random JSON', () => {
    fc.assert(fc.property(fc.jsonValue(), (document) => void parse(document)));
  });

  it('never throws on random documents made of FRR field names', () => {
    fc.assert(
      fc.property(frrLike, (document) => void parse(document)),
      { numRuns: 300 },
    );
  });

  it('never throws on any fixture, whatever command it came from', () => {
    for (const name of fixtureNames(/./)) parse(fixture(name));
  });
});
