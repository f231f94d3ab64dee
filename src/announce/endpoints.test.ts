import { endpointCanServe, hasServingEndpoint } from './endpoints.js';
import { endpoint, slice } from '../../test/support/builders.js';

describe('endpointCanServe (MetalLB EndpointCanServe)', () => {
  const cases = [
    { ready: true, serving: true, expected: true },
    { ready: undefined, serving: undefined, expected: true },
    { ready: undefined, serving: false, expected: true },
    { ready: false, serving: true, expected: true },
    { ready: false, serving: false, expected: false },
    { ready: false, serving: undefined, expected: false },
  ];
  test.each(cases)('ready=$ready serving=$serving → $expected', ({ ready, serving, expected }) => {
    expect(endpointCanServe(endpoint('n1', { ready, serving }))).toBe(expected);
  });
});

describe('hasServingEndpoint', () => {
  const slices = [slice('default/web', [endpoint('n2'), endpoint('n1', { ready: false, serving: false })])];
  test('anywhere in the cluster', () => expect(hasServingEndpoint(slices)).toBe(true));
  test('on a node with only an unready endpoint', () => expect(hasServingEndpoint(slices, 'n1')).toBe(false));
  test('on the node with the ready endpoint', () => expect(hasServingEndpoint(slices, 'n2')).toBe(true));
  test('an endpoint without addresses never counts', () =>
    expect(hasServingEndpoint([slice('default/web', [endpoint('n1', { addresses: [] })])])).toBe(false));
});
