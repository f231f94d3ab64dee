// The API server's pure pieces, table-driven: selectors and the three patch types behave as
// kube-apiserver's do for what ferry's tests and kubectl send.
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from './patch.js';
import { fieldsMatch, labelsMatch, parseFieldSelector, parseLabelSelector } from './selectors.js';
import type { KubeObject } from './object.js';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front' };
  test.each([
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app in (web,api)', true],
    ['app notin (web)', false],
    ['tier', true],
    ['!tier', false],
    ['app=web,tier=back', false],
    ['missing!=x', true],
    ['', true],
  ])('%j matches {app: web, tier: front}: %s', (text, expected) => {
    const parsed = parseLabelSelector(text);
    expect(parsed.ok).toBe(true);
    expect(parsed.ok && labelsMatch(labels, parsed.requirements)).toBe(expected);
  });

  test('a malformed selector is an error, not a match-all', () => {
    expect(parseLabelSelector('app in web').ok).toBe(false);
  });
});

describe('field selectors', () => {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns' },
    spec: { nodeName: 'node-21' },
  };
  test.each([
    ['metadata.name=p', true],
    ['metadata.namespace!=ns', false],
    ['spec.nodeName=node-21', true],
    ['spec.nodeName=node-22', false],
  ])('%s: %s', (text, expected) => {
    const parsed = parseFieldSelector(text, ['spec.nodeName']);
    expect(parsed.ok && fieldsMatch(pod as unknown as KubeObject, parsed.requirements)).toBe(expected);
  });

  test('an unsupported field is refused, as kube-apiserver does', () => {
    expect(parseFieldSelector('spec.unknown=x', ['spec.nodeName'])).toMatchObject({ ok: false });
  });
});

describe('patches', () => {
  test('JSON merge patch: null deletes, objects merge, lists replace', () => {
    expect(applyMergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { a: null, b: { c: 5 }, l: [9] })).toEqual(
      {
        b: { c: 5, d: 3 },
        l: [9],
      },
    );
  });

  test('JSON patch: add, replace, remove, test; a failing test op fails the whole patch', () => {
    const target = { spec: { ports: [{ port: 80 }] }, metadata: { labels: { a: 'x' } } };
    expect(
      applyJsonPatch(target, [
        { op: 'add', path: '/spec/ports/-', value: { port: 443 } },
        { op: 'replace', path: '/metadata/labels/a', value: 'y' },
        { op: 'remove', path: '/spec/ports/0' },
      ]),
    ).toEqual({ ok: true, value: { spec: { ports: [{ port: 443 }] }, metadata: { labels: { a: 'y' } } } });
    expect(applyJsonPatch(target, [{ op: 'test', path: '/metadata/labels/a', value: 'nope' }]).ok).toBe(
      false,
    );
  });

  test('strategic merge patch merges ports by port and honours $patch: delete', () => {
    const mergeKeys = (path: readonly string[]) => (path.join('.') === 'spec.ports' ? 'port' : undefined);
    const live = {
      spec: {
        ports: [
          { port: 80, name: 'http' },
          { port: 443, name: 'https' },
        ],
      },
    };
    expect(
      applyStrategicMergePatch(
        live,
        { spec: { ports: [{ port: 80, name: 'web' }, { port: 8080 }] } },
        mergeKeys,
      ),
    ).toEqual({ spec: { ports: [{ port: 80, name: 'web' }, { port: 443, name: 'https' }, { port: 8080 }] } });
    expect(
      applyStrategicMergePatch(live, { spec: { ports: [{ port: 443, $patch: 'delete' }] } }, mergeKeys),
    ).toEqual({ spec: { ports: [{ port: 80, name: 'http' }] } });
  });
});
