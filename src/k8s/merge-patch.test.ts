import { jsonEqual, mergePatchBetween } from './merge-patch.js';

describe('mergePatchBetween', () => {
  test.each([
    ['equal objects need no patch', { a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 }, undefined],
    ['a changed scalar is sent alone', { a: 1, b: 2 }, { a: 1, b: 3 }, { b: 3 }],
    ['a removed key becomes null', { a: 1, b: 2 }, { a: 1 }, { b: null }],
    ['nested changes keep their path', { s: { x: 1, y: 2 } }, { s: { x: 1, y: 5 } }, { s: { y: 5 } }],
    ['a changed list is sent whole', { peers: ['a', 'b'] }, { peers: ['a', 'c'] }, { peers: ['a', 'c'] }],
    ['list order matters', { peers: ['a', 'b'] }, { peers: ['b', 'a'] }, { peers: ['b', 'a'] }],
    ['an object replacing a scalar', { s: 1 }, { s: { x: 1 } }, { s: { x: 1 } }],
    ['an added nested object', {}, { s: { x: 1 } }, { s: { x: 1 } }],
    ['undefined counts as absent', { a: undefined }, { b: undefined }, undefined],
  ])('%s', (_name, current, desired, expected) => {
    expect(mergePatchBetween(current, desired)).toEqual(expected);
  });
});

describe('jsonEqual', () => {
  test('compares lists by order and objects by content', () => {
    expect(jsonEqual([{ a: 1 }], [{ a: 1 }])).toBe(true);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual({ a: 1 }, { a: 1, b: undefined })).toBe(true);
    expect(jsonEqual({ a: 1 }, [1])).toBe(false);
    expect(jsonEqual(null, {})).toBe(false);
  });
});
