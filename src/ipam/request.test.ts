import type { ServiceInfo } from '../api/cluster.js';
import {
  isRequestError,
  parseAllocationRequest,
  type AllocationRequest,
  type RequestError,
} from './request.js';
import { DUAL_STACK, IPV6_ONLY, service } from '../../test/support/builders.js';

function request(fields: Partial<ServiceInfo>): AllocationRequest {
  const parsed = parseAllocationRequest(service('ns/web', fields));
  if (isRequestError(parsed)) throw new Error(parsed.message);
  return parsed;
}

function error(fields: Partial<ServiceInfo>): RequestError {
  const parsed = parseAllocationRequest(service('ns/web', fields));
  if (!isRequestError(parsed)) throw new Error('expected an error');
  return parsed;
}

describe('parseAllocationRequest', () => {
  it.each<[string, Record<string, string>, Partial<AllocationRequest>]>([
    ['no annotations', {}, { pool: undefined, ips: [], sharingKey: '', deprecatedAnnotations: [] }],
    ['pool', { 'metallb.io/address-pool': 'gold' }, { pool: 'gold' }],
    ['deprecated pool', { 'metallb.universe.tf/address-pool': 'gold' }, { pool: 'gold' }],
    [
      'both pools: the new prefix wins',
      { 'metallb.io/address-pool': 'gold', 'metallb.universe.tf/address-pool': 'silver' },
      { pool: 'gold', deprecatedAnnotations: ['metallb.universe.tf/address-pool'] },
    ],
    ['sharing key', { 'metallb.io/allow-shared-ip': 'k' }, { sharingKey: 'k' }],
    ['deprecated sharing key', { 'metallb.universe.tf/allow-shared-ip': 'old' }, { sharingKey: 'old' }],
    [
      'an empty new sharing key still wins',
      { 'metallb.io/allow-shared-ip': '', 'metallb.universe.tf/allow-shared-ip': 'old' },
      { sharingKey: '' },
    ],
    ['empty pool means none', { 'metallb.io/address-pool': '' }, { pool: undefined }],
  ])('%s', (_name, annotations, expected) => {
    expect(request({ annotations })).toMatchObject(expected);
  });

  it('reads requested addresses from either annotation prefix or spec.loadBalancerIP', () => {
    const texts = (fields: Partial<ServiceInfo>): string[] => request(fields).ips.map((ip) => ip.text);
    expect(texts({ loadBalancerIP: '192.0.2.7' })).toEqual(['192.0.2.7']);
    expect(texts({ annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.7, 2001:DB8::0:1' } })).toEqual([
      '192.0.2.7',
      '2001:db8::1',
    ]);
    expect(texts({ annotations: { 'metallb.universe.tf/loadBalancerIPs': '192.0.2.8' } })).toEqual([
      '192.0.2.8',
    ]);
  });

  it.each<[string, Partial<ServiceInfo>, string]>([
    [
      'both loadBalancerIP and loadBalancerIPs',
      { loadBalancerIP: '192.0.2.1', annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.2' } },
      'service can not have both metallb.io/loadBalancerIPs and svc.Spec.LoadBalancerIP',
    ],
    [
      'a bad address in loadBalancerIPs',
      { annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.1,nope' } },
      'invalid metallb.io/loadBalancerIPs: "192.0.2.1,nope"',
    ],
    ['a bad spec.loadBalancerIP', { loadBalancerIP: '300.0.0.1' }, 'invalid spec.loadBalancerIP "300.0.0.1"'],
    [
      'two addresses of one family',
      { annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.1,192.0.2.2' } },
      'are both IPv4',
    ],
    [
      'three addresses',
      { annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.1,2001:db8::1,192.0.2.3' } },
      'expected one or two addresses, got 3',
    ],
  ])('rejects %s as LoadBalancerFailed', (_name, fields, message) => {
    const result = error(fields);
    expect(result.reason).toBe('LoadBalancerFailed');
    expect(result.message).toContain(message);
  });

  it('derives family, policy and primary family from the clusterIPs and ipFamilies', () => {
    expect(request({})).toMatchObject({ family: 'ipv4', policy: 'SingleStack', primaryFamily: 'ipv4' });
    expect(request(IPV6_ONLY)).toMatchObject({ family: 'ipv6', primaryFamily: 'ipv6' });
    expect(request(DUAL_STACK)).toMatchObject({
      family: 'dual',
      policy: 'RequireDualStack',
      primaryFamily: 'ipv4',
    });
    expect(request({ ...DUAL_STACK, ipFamilies: ['IPv6', 'IPv4'] })).toMatchObject({ primaryFamily: 'ipv6' });
    expect(request({ ipFamilyPolicy: undefined })).toMatchObject({ policy: 'SingleStack' });
  });

  it('rejects clusterIPs that give no family', () => {
    expect(error({ clusterIPs: ['None'] }).reason).toBe('noclusterIPsIPFamily');
    expect(error({ clusterIPs: ['10.0.0.1', '10.0.0.2'] }).message).toContain('are both IPv4');
  });

  it('keys backends by selector only for externalTrafficPolicy Local', () => {
    const selector = { tier: 'web', app: 'shop' };
    expect(request({ selector }).backendKey).toBe('');
    expect(request({ selector, externalTrafficPolicy: 'Local' }).backendKey).toBe('app=shop,tier=web');
  });

  it('lists ports as PROTOCOL/port', () => {
    const ports = [
      { name: 'dns', protocol: 'UDP' as const, port: 53 },
      { name: 'dns-tcp', protocol: 'TCP' as const, port: 53 },
    ];
    expect(request({ ports }).ports).toEqual(['UDP/53', 'TCP/53']);
  });
});
