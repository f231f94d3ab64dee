import { StringSetMap } from './string-set-map.js';

describe('StringSetMap', () => {
  it('keeps members per key in insertion order across the one-member and many-member forms', () => {
    const sets = new StringSetMap<string>();
    sets.add('p', 'a');
    sets.add('p', 'a');
    expect(sets.members('p')).toEqual(['a']);
    sets.add('p', 'b');
    sets.add('p', 'c');
    expect(sets.members('p')).toEqual(['a', 'b', 'c']);
    sets.delete('p', 'a');
    sets.delete('p', 'c');
    expect(sets.members('p')).toEqual(['b']);
    sets.add('p', 'a');
    expect(sets.members('p')).toEqual(['b', 'a']);
  });

  it('forgets a key whose last member leaves, and ignores members it does not hold', () => {
    const sets = new StringSetMap<number>();
    sets.add(1, 'a');
    sets.delete(1, 'x');
    sets.delete(2, 'a');
    expect(sets.members(1)).toEqual(['a']);
    sets.delete(1, 'a');
    expect(sets.has(1)).toBe(false);
    expect(sets.members(1)).toEqual([]);
    sets.add(3, 'a');
    sets.add(3, 'b');
    sets.delete(3, 'a');
    sets.delete(3, 'b');
    expect([...sets.keys()]).toEqual([]);
  });

  it('behaves as a Map of Sets over a random sequence of adds and deletes', () => {
    const sets = new StringSetMap<string>();
    const model = new Map<string, Set<string>>();
    let seed = 12;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let step = 0; step < 5_000; step++) {
      const key = `k${next(5)}`;
      const member = `m${next(4)}`;
      if (next(2) === 0) {
        sets.add(key, member);
        model.set(key, (model.get(key) ?? new Set()).add(member));
      } else {
        sets.delete(key, member);
        model.get(key)?.delete(member);
        if (model.get(key)?.size === 0) model.delete(key);
      }
      expect(sets.members(key)).toEqual([...(model.get(key) ?? [])]);
    }
    expect([...sets.keys()].sort()).toEqual([...model.keys()].sort());
  });
});
