import { announcementsForNode } from '../announce/index.js';
import { loadManifestDirectory } from '../api/load-directory.js';
import { buildConfig } from '../config/build-config.js';
import { goldenScenarioDirectory } from '../../test/support/golden-scenarios.js';
import { peersForNode } from '../announce/index.js';
import { serviceStatuses } from '../../test/support/service-statuses.js';

function seedNode(name: string) {
  const loaded = loadManifestDirectory(`${goldenScenarioDirectory()}/seed/input.yaml`);
  const { config } = buildConfig(loaded.resources, { namespace: 'metallb-system' });
  const node = loaded.resources.nodes.find((n) => n.name === name)!;
  const announce = announcementsForNode({
    config,
    node,
    services: loaded.resources.services,
    endpointSlices: loaded.resources.endpointSlices,
  });
  return { announce, peers: peersForNode(config, node) };
}

describe('ServiceBGPStatus', () => {
  test('lists the peers FRR really advertises the prefix to, not just the intended ones', () => {
    const { announce, peers } = seedNode('node-21');
    const statuses = serviceStatuses({
      node: 'node-21',
      announce,
      peers,
      // tor2's session is down: FRR advertises to tor1 only
      advertised: new Map([['192.0.2.1', new Set(['203.0.113.5/32'])]]),
    });
    expect(statuses).toEqual([{ namespace: 'default', name: 'web', node: 'node-21', peers: ['tor1'] }]);
  });

  test('both peers once FRR advertises to both', () => {
    const { announce, peers } = seedNode('node-21');
    const both = new Set(['203.0.113.5/32']);
    const statuses = serviceStatuses({
      node: 'node-21',
      announce,
      peers,
      advertised: new Map([
        ['192.0.2.1', both],
        ['198.51.100.1', both],
      ]),
    });
    expect(statuses[0]?.peers).toEqual(['tor1', 'tor2']);
  });

  test('no object for a Service this node does not announce', () => {
    const { announce, peers } = seedNode('node-23');
    const statuses = serviceStatuses({
      node: 'node-23',
      announce,
      peers,
      advertised: new Map([['192.0.2.1', new Set(['203.0.113.5/32'])]]),
    });
    expect(statuses).toEqual([]);
  });
});
