import { join } from 'node:path';
import { packageRoot } from '../util/package-root.js';
import { formatManifestError } from './manifest-error.js';
import { loadManifestDirectory, readCrdDocuments } from './load-directory.js';
import { compileCrdValidator } from './crd-validator.js';
import { loadManifests } from './manifests.js';

const { validator, problems } = compileCrdValidator(readCrdDocuments());

function loadText(text: string, path = 'm.yaml') {
  return loadManifests([{ path, text }], validator, { defaultNamespace: 'metallb-system' });
}

describe('CRDs', () => {
  it('compile, and serve every kind and version', () => {
    expect(problems).toEqual([]);
    for (const [apiVersion, kind] of [
      ['metallb.io/v1beta1', 'IPAddressPool'],
      ['metallb.io/v1beta1', 'BGPPeer'],
      ['metallb.io/v1beta2', 'BGPPeer'],
      ['metallb.io/v1beta1', 'BGPAdvertisement'],
      ['metallb.io/v1beta1', 'BFDProfile'],
      ['metallb.io/v1beta1', 'Community'],
      ['metallb.io/v1beta1', 'L2Advertisement'],
      ['metallb.io/v1beta1', 'ServiceBGPStatus'],
      ['metallb.io/v1beta1', 'ServiceL2Status'],
      ['metallb.io/v1beta1', 'ConfigurationState'],
      ['frrk8s.metallb.io/v1beta1', 'BGPSessionState'],
    ]) {
      expect(validator.serves(apiVersion ?? '', kind ?? '')).toBe(true);
    }
  });

  it('compiled on first use, find the same problems, and a broken schema fails where it is used', () => {
    const lazy = compileCrdValidator(readCrdDocuments(), { compile: 'on-first-use' });
    expect(lazy.problems).toEqual([]);
    const peer = {
      apiVersion: 'metallb.io/v1beta2',
      kind: 'BGPPeer',
      metadata: { name: 'tor', namespace: 'metallb-system' },
      spec: { myASN: 'x', peerAddress: '192.0.2.1', holdTme: '9s' },
    };
    expect(lazy.validator.validate(peer).problems).toEqual(validator.validate(peer).problems);
    expect(lazy.validator.validate(peer).problems).not.toEqual([]);

    const broken = {
      kind: 'CustomResourceDefinition',
      spec: {
        group: 'example.com',
        names: { kind: 'Broken' },
        versions: [{ name: 'v1', schema: { openAPIV3Schema: { type: 'object', minLength: 'x' } } }],
      },
    };
    expect(compileCrdValidator([broken]).problems).toEqual([
      expect.stringContaining('Broken example.com/v1: schema does not compile'),
    ]);
    const deferred = compileCrdValidator([broken], { compile: 'on-first-use' }).validator;
    expect(deferred.serves('example.com/v1', 'Broken')).toBe(true);
    expect(() => deferred.validate({ apiVersion: 'example.com/v1', kind: 'Broken' })).toThrow(/minLength/);
  });
});

describe('loadManifestDirectory', () => {
  it('loads the seed examples without errors', () => {
    const result = loadManifestDirectory(join(packageRoot(), 'deploy', 'examples'));
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    const { resources } = result;
    expect(resources.ipAddressPools.map((entry) => entry.metadata.name)).toEqual(['prod-pool']);
    expect(resources.bgpPeers.map((entry) => entry.metadata.name)).toEqual(['tor1', 'tor2']);
    expect(resources.bgpAdvertisements.map((entry) => entry.metadata.name)).toEqual(['prod-adv']);
    expect(resources.bfdProfiles.map((entry) => entry.metadata.name)).toEqual(['tor-bfd']);
    expect(resources.nodes.map((entry) => entry.name)).toEqual(['node-21', 'node-22', 'node-23']);
    expect(resources.services).toEqual([
      expect.objectContaining({
        namespace: 'default',
        name: 'web',
        type: 'LoadBalancer',
        externalTrafficPolicy: 'Local',
      }),
    ]);
  });
});

describe('loadManifests', () => {
  it('applies CRD defaults', () => {
    const result = loadText(`
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: p }
spec: { myASN: 1, peerASN: 2, peerAddress: 192.0.2.1 }
---
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: x, namespace: metallb-system }
spec: { addresses: [10.0.0.0/24] }
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: a }
`);
    expect(result.errors).toEqual([]);
    expect(result.resources.bgpPeers[0]?.spec).toMatchObject({
      peerPort: 179,
      disableMP: false,
      dualStackAddressFamily: false,
    });
    expect(result.resources.bgpPeers[0]?.metadata.namespace).toBe('metallb-system');
    expect(result.resources.ipAddressPools[0]?.spec).toMatchObject({
      autoAssign: true,
      avoidBuggyIPs: false,
    });
    // no spec: the API server applies no defaults inside an absent object
    expect(result.resources.bgpAdvertisements[0]?.metadata.name).toBe('a');
  });

  test.each([
    [
      'out-of-range port',
      'spec: { myASN: 1, peerASN: 2, peerAddress: 1.2.3.4, peerPort: 20000 }',
      'spec.peerPort',
      /at most 16384/,
    ],
    ['missing myASN', 'spec: { peerASN: 2, peerAddress: 1.2.3.4 }', 'spec.myASN', /is required/],
    [
      'unknown field',
      'spec: { myASN: 1, peerASN: 2, peerAdress: 1.2.3.4 }',
      'spec.peerAdress',
      /unknown field/,
    ],
    [
      'wrong type',
      'spec: { myASN: "1", peerASN: 2, peerAddress: 1.2.3.4 }',
      'spec.myASN',
      /must be of type integer/,
    ],
    [
      'ASN too large',
      'spec: { myASN: 4294967296, peerASN: 2, peerAddress: 1.2.3.4 }',
      'spec.myASN',
      /at most 4294967295/,
    ],
    [
      'bad enum',
      'spec: { myASN: 1, dynamicASN: both, peerAddress: 1.2.3.4 }',
      'spec.dynamicASN',
      /must be one of "internal", "external"/,
    ],
    [
      'holdTime as a number',
      'spec: { myASN: 1, peerASN: 2, peerAddress: 1.2.3.4, holdTime: 90 }',
      'spec.holdTime',
      /type string/,
    ],
    [
      'bad selector shape',
      'spec: { myASN: 1, peerASN: 2, nodeSelectors: [{ matchExpressions: [{ key: a }] }] }',
      'spec.nodeSelectors[0].matchExpressions[0].operator',
      /is required/,
    ],
  ])('rejects a BGPPeer with %s, naming the field', (_name, spec, field, message) => {
    const result = loadText(
      `apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata: { name: tor1 }\n${spec}\n`,
    );
    expect(result.resources.bgpPeers).toEqual([]);
    const error = result.errors.find((candidate) => candidate.field === field);
    expect(error).toMatchObject({
      file: 'm.yaml',
      object: { kind: 'BGPPeer', namespace: 'metallb-system', name: 'tor1' },
    });
    expect(error?.message).toMatch(message);
    expect(formatManifestError(error!)).toMatch(/^m\.yaml: BGPPeer metallb-system\/tor1: /);
  });

  it('enforces v1beta1 BGPPeer required fields (peerASN, peerAddress)', () => {
    const result = loadText(
      'apiVersion: metallb.io/v1beta1\nkind: BGPPeer\nmetadata: { name: p }\nspec: { myASN: 1 }\n',
    );
    expect(result.errors.map((error) => error.field).sort()).toEqual(['spec.peerASN', 'spec.peerAddress']);
  });

  it('checks metadata like the API server', () => {
    const result = loadText(`
apiVersion: metallb.io/v1beta1
kind: BFDProfile
metadata: { name: Bad_Name }
---
apiVersion: metallb.io/v1beta1
kind: BFDProfile
metadata: { name: ok, labels: { "bad key": x } }
---
apiVersion: metallb.io/v1beta1
kind: BFDProfile
metadata: {}
`);
    expect(result.errors.map((error) => error.field)).toEqual([
      'metadata.name',
      'metadata.labels["bad key"]',
      'metadata.name',
    ]);
  });

  it('warns about unknown kinds naming kind and file, and reads L2Advertisement', () => {
    const result = loadText(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: d }
---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: { name: l2 }
`);
    expect(result.errors).toEqual([]);
    expect(result.warnings.map(formatManifestError)).toEqual([
      'm.yaml: apiVersion: kind Deployment (apps/v1) is not one ferry reads; ignored',
    ]);
    expect(result.resources.l2Advertisements.map((item) => item.metadata.name)).toEqual(['l2']);
  });

  it('rejects a known kind in a version that is not served', () => {
    const result = loadText('apiVersion: metallb.io/v1alpha1\nkind: IPAddressPool\nmetadata: { name: x }\n');
    expect(result.errors.map(formatManifestError)).toEqual([
      'm.yaml: apiVersion: IPAddressPool is not served in version metallb.io/v1alpha1',
    ]);
  });

  it('reports YAML syntax errors and keeps the other documents', () => {
    const result = loadText('apiVersion: v1\nkind: Node\nmetadata: { name: n1 }\n---\nkind: [\n');
    expect(result.resources.nodes.map((entry) => entry.name)).toEqual(['n1']);
    expect(result.errors[0]?.message).toMatch(/document 2: invalid YAML/);
  });

  it('reads v1 Lists, Secrets (data and stringData), Services with ingress, EndpointSlices and Namespaces', () => {
    const result = loadText(`
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Secret
    metadata: { name: s }
    type: kubernetes.io/basic-auth
    data: { username: YWRtaW4= }
    stringData: { password: s3cret }
  - apiVersion: v1
    kind: Namespace
    metadata: { name: web, labels: { team: a } }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: web }
spec:
  type: LoadBalancer
  clusterIPs: [10.96.0.10, "fd00::a"]
  ports: [{ port: 443, protocol: TCP }]
status:
  loadBalancer:
    ingress: [{ ip: 203.0.113.5 }, { ip: "2001:DB8::5" }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: web-abc, namespace: web, labels: { kubernetes.io/service-name: web } }
addressType: IPv4
endpoints:
  - addresses: [10.244.1.5]
    nodeName: node-21
    conditions: { ready: true }
`);
    expect(result.errors).toEqual([]);
    expect(result.resources.secrets).toEqual([
      {
        namespace: 'metallb-system',
        name: 's',
        type: 'kubernetes.io/basic-auth',
        data: { username: 'admin', password: 's3cret' },
      },
    ]);
    expect(result.resources.namespaces).toEqual([{ name: 'web', labels: { team: 'a' } }]);
    expect(result.resources.services[0]).toMatchObject({
      ipFamilies: ['IPv4', 'IPv6'],
      externalTrafficPolicy: 'Cluster',
      ingressIPs: ['203.0.113.5', '2001:db8::5'],
      ports: [{ name: '', protocol: 'TCP', port: 443 }],
    });
    expect(result.resources.endpointSlices).toEqual([
      {
        namespace: 'web',
        name: 'web-abc',
        serviceName: 'web',
        endpoints: [
          {
            addresses: ['10.244.1.5'],
            nodeName: 'node-21',
            ready: true,
            serving: undefined,
            terminating: undefined,
          },
        ],
      },
    ]);
  });

  it('keeps ingress entries that are no IP (a hostname, an unparsable ip) as the Service wrote them, without an error', () => {
    // The speaker refuses such a Service alone (invalidIP); loading must not reject it nor anything else.
    const result = loadText(`
apiVersion: v1
kind: Service
metadata: { name: cloud, namespace: web }
spec: { type: LoadBalancer, loadBalancerClass: example.com/other }
status:
  loadBalancer:
    ingress: [{ ip: 203.0.113.5 }, { hostname: lb.example.com }, { ip: "203.0.113.07" }, { ip: "2001:DB8::5" }]
`);
    expect(result.errors).toEqual([]);
    expect(result.resources.services[0]).toMatchObject({
      loadBalancerClass: 'example.com/other',
      ingressIPs: ['203.0.113.5', '', '203.0.113.07', '2001:db8::5'],
    });
  });

  it("keeps a Service's MetalLB annotations only, not kubectl's copy of the whole object", () => {
    const result = loadText(`
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: web
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"apiVersion":"v1","kind":"Service","metadata":{"name":"web"}}'
    metallb.io/address-pool: prod-pool
    metallb.universe.tf/allow-shared-ip: key
    example.com/owner: team-a
spec: { type: LoadBalancer }
`);
    expect(result.errors).toEqual([]);
    expect(result.resources.services[0]?.annotations).toEqual({
      'metallb.io/address-pool': 'prod-pool',
      'metallb.universe.tf/allow-shared-ip': 'key',
    });
  });

  it('still rejects an ingress ip of the wrong type, as the API server would', () => {
    const result = loadText(
      'apiVersion: v1\nkind: Service\nmetadata: { name: s }\nstatus: { loadBalancer: { ingress: [{ ip: 5 }] } }\n',
    );
    expect(result.errors.map((error) => error.field)).toEqual(['status.loadBalancer.ingress[0].ip']);
  });

  it('rejects Secrets with data that is not base64', () => {
    const result = loadText(
      'apiVersion: v1\nkind: Secret\nmetadata: { name: s }\ndata: { password: "not base64!" }\n',
    );
    expect(result.errors.map((error) => error.field)).toEqual(['data["password"]']);
  });
});
