import { l2Decision } from '../../test/support/builders.js';
import type { L2Decision } from './election.js';
import { ipsToReannounce } from './reannounce.js';

const decision = (name: string, announced: boolean, candidates: string[], ip = '192.0.2.200') =>
  l2Decision(name, announced, { ip, candidates });

describe('ipsToReannounce', () => {
  const cases: Array<[string, L2Decision[], L2Decision[], string[]]> = [
    [
      'a partitioned node is back: it announced the IP meanwhile, so the owner announces again',
      [decision('web', true, ['node-21', 'node-23'])],
      [decision('web', true, ['node-21', 'node-22', 'node-23'])],
      ['192.0.2.200'],
    ],
    [
      'nothing changed (a reconcile)',
      [decision('web', true, ['node-21', 'node-22'])],
      [decision('web', true, ['node-21', 'node-22'])],
      [],
    ],
    [
      'a candidate lost: nobody else announced, nothing to correct',
      [decision('web', true, ['node-21', 'node-22'])],
      [decision('web', true, ['node-21'])],
      [],
    ],
    [
      'newly owned: the responder announces it anyway',
      [decision('web', false, ['node-22', 'node-21'])],
      [decision('web', true, ['node-21'])],
      [],
    ],
    [
      'not owned: never announced',
      [decision('web', false, ['node-22'])],
      [decision('web', false, ['node-22', 'node-23'])],
      [],
    ],
    [
      'only the Services whose candidates grew, each IP once',
      [decision('web', true, ['node-21']), decision('api', true, ['node-21'], '192.0.2.201')],
      [
        decision('web', true, ['node-21', 'node-22']),
        decision('api', true, ['node-21'], '192.0.2.201'),
        decision('web2', true, ['node-21', 'node-22']),
      ],
      ['192.0.2.200'],
    ],
  ];
  it.each(cases)('%s', (_name, before, now, expected) => {
    expect(ipsToReannounce(before, now)).toEqual(expected);
  });
});
