import type { KubeObject } from '../k8s/kube-object.js';
import { caughtUp, decodeService, ServiceViews, type ServiceObject } from './service-view.js';

function service(resourceVersion: string, ip: string | undefined, uid = 'u1'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: 'apps', name: 'web', uid, resourceVersion },
    spec: { type: 'LoadBalancer', clusterIPs: ['10.96.0.1'] },
    status: { loadBalancer: ip === undefined ? {} : { ingress: [{ ip }] } },
  };
}

describe('ServiceViews', () => {
  test('caughtUp compares integer resourceVersions, otherwise only equal ones', () => {
    expect(caughtUp('10', '9')).toBe(true);
    expect(caughtUp('9', '10')).toBe(false);
    expect(caughtUp('abc', 'abc')).toBe(true);
    expect(caughtUp('abd', 'abc')).toBe(false);
  });

  test("the controller's own write wins until the informer has seen it", () => {
    let informed: ServiceObject | undefined = decodeService(service('5', undefined));
    const views = new ServiceViews(() => informed);
    views.wrote(service('7', '192.0.2.1'));
    expect(views.get('apps/web')?.info.ingressIPs).toEqual(['192.0.2.1']);
    informed = decodeService(service('6', undefined)); // an older change arriving late
    expect(views.get('apps/web')?.info.ingressIPs).toEqual(['192.0.2.1']);
    informed = decodeService(service('8', '192.0.2.9')); // newer than the write: the informer wins
    expect(views.get('apps/web')?.info.ingressIPs).toEqual(['192.0.2.9']);
  });

  test('a Service deleted and created again under the same name is a new object', () => {
    let informed: ServiceObject | undefined = decodeService(service('5', undefined));
    const views = new ServiceViews(() => informed);
    views.wrote(service('7', '192.0.2.1'));
    informed = undefined;
    expect(views.get('apps/web')).toBeUndefined();
    informed = decodeService(service('3', undefined, 'u2'));
    expect(views.get('apps/web')?.info.ingressIPs).toEqual([]);
  });
});
