import { AdvertisedIndex } from './advertised-index.js';

const sets = (entries: Record<string, string[]>) =>
  new Map(Object.entries(entries).map(([neighbor, prefixes]) => [neighbor, new Set(prefixes)]));

describe('what bgpd advertises, kept between reads', () => {
  test('a full read says which prefixes changed for any neighbor', () => {
    const index = new AdvertisedIndex();
    expect([...index.replaceAll(sets({ tor1: ['a', 'b'], tor2: ['a'] }))].sort()).toEqual(['a', 'b']);
    // b now also to tor2, a no longer to tor1, c new; a stays advertised to tor2
    expect([...index.replaceAll(sets({ tor1: ['b'], tor2: ['a', 'b', 'c'] }))].sort()).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(index.replaceAll(sets({ tor1: ['b'], tor2: ['a', 'b', 'c'] })).size).toBe(0);
    // a neighbor gone takes its prefixes with it
    expect([...index.replaceAll(sets({ tor2: ['a', 'b', 'c'] }))]).toEqual(['b']);
    expect(index.has('tor1', 'b')).toBe(false);
    expect(index.has('tor2', 'c')).toBe(true);
  });

  test('one prefix read alone changes it for the neighbors in its scope only', () => {
    const index = new AdvertisedIndex();
    index.replaceAll(sets({ tor1: ['a'], tor2: ['a'], 'tor3-red': ['a'] }));
    // bgpd now sends a to tor1 only; tor3 (another VRF) was not in the read's scope
    expect(index.setPrefix({ prefix: 'a', scope: ['tor1', 'tor2'], to: new Set(['tor1']) })).toBe(true);
    expect([index.has('tor1', 'a'), index.has('tor2', 'a'), index.has('tor3-red', 'a')]).toEqual([
      true,
      false,
      true,
    ]);
    expect(index.setPrefix({ prefix: 'a', scope: ['tor1', 'tor2'], to: new Set(['tor1']) })).toBe(false);
    // a neighbor never seen before
    expect(index.setPrefix({ prefix: 'b', scope: ['tor4'], to: new Set(['tor4']) })).toBe(true);
    expect(index.has('tor4', 'b')).toBe(true);
  });
});
