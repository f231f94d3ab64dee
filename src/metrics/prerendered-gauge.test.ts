import { Gauge, Registry } from 'prom-client';
import { metricsText, PrerenderedGauge } from './prerendered-gauge.js';

const HELP = 'Services being announced from this node.';
const web = { service: 'default/web', protocol: 'bgp', node: 'node-21', ip: '203.0.113.5' };
const api = { service: 'default/api', protocol: 'bgp', node: 'node-21', ip: '203.0.113.6' };

describe('a gauge kept as text per owner', () => {
  test("prints what prom-client prints for the same series, served with the registry's metrics", async () => {
    const reference = new Registry();
    const gauge = new Gauge({
      name: 'metallb_speaker_announced',
      help: HELP,
      labelNames: ['service', 'protocol', 'node', 'ip'],
      registers: [reference],
    });
    gauge.set(web, 1);
    gauge.set(api, 1);
    const registry = new Registry();
    const prerendered = new PrerenderedGauge('metallb_speaker_announced', HELP, registry);
    prerendered.set('bgp/default/web', [{ labels: web, value: 1 }]);
    prerendered.set('bgp/default/api', [{ labels: api, value: 1 }]);
    expect(prerendered.text()).toBe(await reference.metrics());
    expect(await metricsText(registry)).toContain('metallb_speaker_announced{service="default/web"');
  });

  test('an owner replaces or removes only its own series; label values are escaped', () => {
    const gauge = new PrerenderedGauge('m', 'h', new Registry());
    gauge.set('a', [{ labels: { ip: '1' }, value: 1 }]);
    gauge.set('b', [{ labels: { ip: 'x"\\\ny' }, value: 1 }]);
    gauge.set('a', [{ labels: { ip: '2' }, value: 1 }]);
    expect(gauge.text()).toBe('# HELP m h\n# TYPE m gauge\nm{ip="2"} 1\nm{ip="x\\"\\\\\\ny"} 1\n');
    gauge.set('a', []);
    gauge.set('b', []);
    expect(gauge.text()).toBe('# HELP m h\n# TYPE m gauge\n');
  });
});
