import type { EndpointSliceInfo, ServiceInfo } from '../api/cluster.js';
import type { CountedList, FileChange } from '../api/manifest-file-cache.js';
import type { LoadResult } from '../api/manifests.js';
import { emptyResources, type Resources } from '../api/resources.js';
import { manifestUpdate } from './manifest-changes.js';

// Only the fields the decision reads: the lists an object is in, its namespace and name.
const service = (name: string, port = 80) =>
  ({ namespace: 'default', name, type: 'LoadBalancer', ports: [{ port }] }) as unknown as ServiceInfo;
const slice = (name: string) =>
  ({
    namespace: 'default',
    name,
    serviceName: name.split('-')[0],
    endpoints: [],
  }) as unknown as EndpointSliceInfo;

/** A file's result holding these objects (and `errors` problems). */
function file(lists: Partial<Record<keyof Resources, readonly unknown[]>>, errors = 0): LoadResult {
  return {
    resources: { ...emptyResources(), ...lists } as Resources,
    errors: Array.from({ length: errors }, () => ({
      file: 'x.yaml',
      object: undefined,
      field: 'spec',
      message: 'invalid',
    })),
    warnings: [],
  };
}

const change = (path: string, before: LoadResult | undefined, after: LoadResult | undefined): FileChange => ({
  path,
  before,
  after,
});

/** Counts what the changed files define now, plus `elsewhere` (definitions in files not read again). */
const countingAfter =
  (changes: readonly FileChange[], elsewhere: readonly string[] = []) =>
  (list: CountedList, key: string) => {
    const named = (objects: readonly { namespace: string; name: string }[]) =>
      objects.filter((o) => `${o.namespace}/${o.name}` === key).length;
    return (
      changes.reduce((sum, c) => sum + named(c.after?.resources[list] ?? []), 0) +
      elsewhere.filter((other) => other === `${list} ${key}`).length
    );
  };

const a = service('a');
const a443 = service('a', 443);
const aSlice = slice('a-x');
const b = service('b');
const pool = { metadata: { name: 'pool', namespace: 'metallb-system' } };

describe('manifestUpdate: which file changes go to the speaker object by object', () => {
  const perObject: [string, FileChange[], { kind: string; key: string; object: unknown }[]][] = [
    [
      'a Service file added',
      [change('a.yaml', undefined, file({ services: [a], endpointSlices: [aSlice] }))],
      [
        { kind: 'service', key: 'default/a', object: a },
        { kind: 'endpointSlice', key: 'default/a-x', object: aSlice },
      ],
    ],
    [
      'a Service changed',
      [change('a.yaml', file({ services: [a] }), file({ services: [a443] }))],
      [{ kind: 'service', key: 'default/a', object: a443 }],
    ],
    [
      'a Service file removed',
      [change('a.yaml', file({ services: [a], endpointSlices: [aSlice] }), undefined)],
      [
        { kind: 'service', key: 'default/a', object: undefined },
        { kind: 'endpointSlice', key: 'default/a-x', object: undefined },
      ],
    ],
    [
      'a file emptied',
      [change('a.yaml', file({ services: [a] }), file({}))],
      [{ kind: 'service', key: 'default/a', object: undefined }],
    ],
    [
      'an empty file filled',
      [change('a.yaml', file({}), file({ services: [a] }))],
      [{ kind: 'service', key: 'default/a', object: a }],
    ],
    [
      'a Service moved to another file (rename)',
      [
        change('a.yaml', file({ services: [a] }), undefined),
        change('b.yaml', undefined, file({ services: [a443] })),
      ],
      [{ kind: 'service', key: 'default/a', object: a443 }],
    ],
    [
      'one Service renamed in its file',
      [change('a.yaml', file({ services: [a] }), file({ services: [b] }))],
      [
        { kind: 'service', key: 'default/a', object: undefined },
        { kind: 'service', key: 'default/b', object: b },
      ],
    ],
    ['a file with nothing, before and after', [change('notes.yaml', file({}), file({}))], []],
  ];
  it.each(perObject)('%s: the objects one by one', (_, changes, objects) => {
    expect(manifestUpdate(changes, countingAfter(changes))).toEqual({ full: false, objects });
  });

  const full: [string, FileChange[], readonly string[], RegExp][] = [
    [
      'a pool file added',
      [change('pool.yaml', undefined, file({ ipAddressPools: [pool] }))],
      [],
      /pool\.yaml holds ipAddressPools/,
    ],
    [
      'a pool removed from a Service file',
      [change('a.yaml', file({ services: [a], ipAddressPools: [pool] }), file({ services: [a] }))],
      [],
      /a\.yaml holds ipAddressPools/,
    ],
    ['a Node', [change('node.yaml', undefined, file({ nodes: [{ name: 'n' }] }))], [], /holds nodes/],
    ['a Secret', [change('s.yaml', file({ secrets: [{}] }), file({ secrets: [{}] }))], [], /holds secrets/],
    ['a Namespace', [change('ns.yaml', undefined, file({ namespaces: [{}] }))], [], /holds namespaces/],
    [
      'a file that does not parse now',
      [change('a.yaml', file({ services: [a] }), file({}, 1))],
      [],
      /a\.yaml has problems/,
    ],
    [
      'a file that parses again',
      [change('a.yaml', file({}, 1), file({ services: [a] }))],
      [],
      /a\.yaml had problems/,
    ],
    ['a file with problems removed', [change('a.yaml', file({}, 1), undefined)], [], /a\.yaml had problems/],
    [
      'a file whose kinds changed',
      [change('a.yaml', file({ services: [a] }), file({ services: [a], endpointSlices: [aSlice] }))],
      [],
      /a\.yaml held services and now holds services, endpointSlices/,
    ],
    [
      'a Service also defined in a file not read again',
      [change('b.yaml', undefined, file({ services: [a] }))],
      ['services default/a'],
      /service default\/a is also defined in a file not read again/,
    ],
    [
      'a duplicate Service removed (the other definition counts now)',
      [change('b.yaml', file({ services: [a] }), undefined)],
      ['services default/a'],
      /service default\/a is also defined/,
    ],
    [
      'a Service defined twice in the changed files',
      [
        change('a.yaml', undefined, file({ services: [a] })),
        change('b.yaml', undefined, file({ services: [a443] })),
      ],
      [],
      /service default\/a is defined twice \(a\.yaml, b\.yaml\)/,
    ],
    [
      'a pool beside Service changes',
      [
        change('a.yaml', undefined, file({ services: [a] })),
        change('pool.yaml', file({ ipAddressPools: [pool] }), file({ ipAddressPools: [pool] })),
      ],
      [],
      /pool\.yaml holds ipAddressPools/,
    ],
  ];
  it.each(full)('%s: a full update', (_, changes, elsewhere, reason) => {
    const update = manifestUpdate(changes, countingAfter(changes, elsewhere));
    expect(update.full).toBe(true);
    expect(update.full && update.reason).toMatch(reason);
  });
});
