import {
  anySelectorMatches,
  parseLabelSelector,
  parseLegacyNodeSelector,
  selectorMatches,
} from './selector.js';
import type { LabelSelector } from './types.js';

function selector(raw: unknown): LabelSelector {
  const parsed = parseLabelSelector(raw, 'spec.nodeSelectors[0]');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.selector;
}

describe('selectorMatches', () => {
  const labels = { 'kubernetes.io/hostname': 'node-21', rack: 'r1', spare: '' };
  test.each([
    ['empty selector', {}, true],
    ['null selector', null, true],
    ['matching label', { matchLabels: { rack: 'r1' } }, true],
    ['wrong label value', { matchLabels: { rack: 'r2' } }, false],
    ['missing label', { matchLabels: { zone: 'a' } }, false],
    ['empty-valued label', { matchLabels: { spare: '' } }, true],
    ['In', { matchExpressions: [{ key: 'rack', operator: 'In', values: ['r1', 'r2'] }] }, true],
    ['In, not listed', { matchExpressions: [{ key: 'rack', operator: 'In', values: ['r3'] }] }, false],
    ['In, missing key', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, false],
    ['NotIn', { matchExpressions: [{ key: 'rack', operator: 'NotIn', values: ['r1'] }] }, false],
    ['NotIn, missing key', { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, true],
    ['Exists', { matchExpressions: [{ key: 'rack', operator: 'Exists' }] }, true],
    ['Exists, missing', { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, false],
    ['DoesNotExist', { matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, true],
    ['DoesNotExist, present', { matchExpressions: [{ key: 'rack', operator: 'DoesNotExist' }] }, false],
    [
      'labels and expressions must all hold',
      { matchLabels: { rack: 'r1' }, matchExpressions: [{ key: 'zone', operator: 'Exists' }] },
      false,
    ],
    [
      'prototype keys are not labels',
      { matchExpressions: [{ key: 'constructor', operator: 'Exists' }] },
      false,
    ],
  ])('%s', (_name, raw, expected) => {
    expect(selectorMatches(selector(raw), labels)).toBe(expected);
  });

  it('anySelectorMatches: empty list matches everything, otherwise OR', () => {
    expect(anySelectorMatches([], {})).toBe(true);
    const r1 = selector({ matchLabels: { rack: 'r1' } });
    const r2 = selector({ matchLabels: { rack: 'r2' } });
    expect(anySelectorMatches([r1, r2], { rack: 'r2' })).toBe(true);
    expect(anySelectorMatches([r1, r2], { rack: 'r3' })).toBe(false);
  });
});

describe('parseLabelSelector', () => {
  test.each([
    ['bad key', { matchLabels: { 'bad key': 'x' } }, 'spec.nodeSelectors[0].matchLabels["bad key"]'],
    [
      'uppercase prefix',
      { matchLabels: { 'Example.com/a': 'x' } },
      'spec.nodeSelectors[0].matchLabels["Example.com/a"]',
    ],
    ['value with newline', { matchLabels: { a: 'x\ny' } }, 'spec.nodeSelectors[0].matchLabels["a"]'],
    ['value too long', { matchLabels: { a: 'x'.repeat(64) } }, 'spec.nodeSelectors[0].matchLabels["a"]'],
    [
      'unknown operator',
      { matchExpressions: [{ key: 'a', operator: 'in', values: ['x'] }] },
      'spec.nodeSelectors[0].matchExpressions[0].operator',
    ],
    [
      'In without values',
      { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] },
      'spec.nodeSelectors[0].matchExpressions[0].values',
    ],
    [
      'Exists with values',
      { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
      'spec.nodeSelectors[0].matchExpressions[0].values',
    ],
    [
      'missing key',
      { matchExpressions: [{ operator: 'Exists' }] },
      'spec.nodeSelectors[0].matchExpressions[0].key',
    ],
    [
      'bad value',
      { matchExpressions: [{ key: 'a', operator: 'In', values: ['-x'] }] },
      'spec.nodeSelectors[0].matchExpressions[0].values[0]',
    ],
    ['not an object', 'rack=r1', 'spec.nodeSelectors[0]'],
  ])('rejects %s, naming the field', (_name, raw, field) => {
    const parsed = parseLabelSelector(raw, 'spec.nodeSelectors[0]');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems.map((problem) => problem.field)).toContain(field);
  });

  it('accepts prefixed keys and sorts expression values', () => {
    expect(
      selector({
        matchLabels: { 'topology.kubernetes.io/zone': 'z1' },
        matchExpressions: [{ key: 'rack', operator: 'In', values: ['r2', 'r1'] }],
      }),
    ).toEqual({
      matchLabels: { 'topology.kubernetes.io/zone': 'z1' },
      matchExpressions: [{ key: 'rack', operator: 'In', values: ['r1', 'r2'] }],
    });
  });

  // MetalLB's rule for its selector lists (the apiserver accepts all of these).
  test.each([
    [
      'a value twice in In',
      { matchExpressions: [{ key: 'rack', operator: 'In', values: ['r2', 'r1', 'r2'] }] },
      'spec.nodeSelectors[0].matchExpressions[0].values[2]',
      'duplicate definition of match expression value in label selector "r2"',
    ],
    [
      'a value twice in NotIn, in the second expression',
      {
        matchExpressions: [
          { key: 'zone', operator: 'Exists' },
          { key: 'rack', operator: 'NotIn', values: ['r1', 'r1'] },
        ],
      },
      'spec.nodeSelectors[0].matchExpressions[1].values[1]',
      'duplicate definition of match expression value in label selector "r1"',
    ],
    [
      'the same expression twice',
      {
        matchExpressions: [
          { key: 'rack', operator: 'In', values: ['r1'] },
          { key: 'rack', operator: 'In', values: ['r1'] },
        ],
      },
      'spec.nodeSelectors[0].matchExpressions[1]',
      'duplicate definition of match expressions "rack In (r1)"',
    ],
    [
      'the same expression with its values in another order',
      {
        matchExpressions: [
          { key: 'rack', operator: 'NotIn', values: ['r1', 'r2'] },
          { key: 'zone', operator: 'Exists' },
          { key: 'rack', operator: 'NotIn', values: ['r2', 'r1'] },
        ],
      },
      'spec.nodeSelectors[0].matchExpressions[2]',
      'duplicate definition of match expressions "rack NotIn (r1,r2)"',
    ],
    [
      'Exists twice on one key',
      {
        matchExpressions: [
          { key: 'rack', operator: 'Exists' },
          { key: 'rack', operator: 'Exists', values: [] },
        ],
      },
      'spec.nodeSelectors[0].matchExpressions[1]',
      'duplicate definition of match expressions "rack Exists ()"',
    ],
  ])('rejects %s, as MetalLB does', (_name, raw, field, message) => {
    expect(parseLabelSelector(raw, 'spec.nodeSelectors[0]')).toEqual({
      ok: false,
      problems: [{ field, message }],
    });
  });

  test.each([
    [
      'one key with two operators',
      [
        { key: 'rack', operator: 'In', values: ['r1'] },
        { key: 'rack', operator: 'NotIn', values: ['r1'] },
      ],
    ],
    [
      'one key and operator with other values',
      [
        { key: 'rack', operator: 'In', values: ['r1'] },
        { key: 'rack', operator: 'In', values: ['r1', 'r2'] },
      ],
    ],
    [
      'the same value under two keys',
      [
        { key: 'rack', operator: 'In', values: ['r1'] },
        { key: 'row', operator: 'In', values: ['r1'] },
      ],
    ],
  ])('accepts %s (not a duplicate for MetalLB either)', (_name, matchExpressions) => {
    expect(parseLabelSelector({ matchExpressions }, 'spec.nodeSelectors[0]').ok).toBe(true);
  });

  it('converts the BGPPeer v1beta1 legacy node selector to the same LabelSelector', () => {
    const legacy = parseLegacyNodeSelector(
      { matchLabels: { rack: 'r1' }, matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['z9'] }] },
      'spec.nodeSelectors[0]',
    );
    expect(legacy).toEqual({
      ok: true,
      selector: {
        matchLabels: { rack: 'r1' },
        matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['z9'] }],
      },
    });
  });
});
