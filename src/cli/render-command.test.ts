// `ferry render` / `ferry explain` as a user runs them, in-process: the --lb-class flag (or
// FERRY_LB_CLASS) decides which Services are ferry's, and unusable ingress entries never make the
// manifests invalid.
import { jest } from '@jest/globals';
import { Command } from 'commander';
import { join } from 'node:path';
import { goldenScenarioDirectory } from '../../test/support/golden-scenarios.js';
import { LB_CLASS_ENV } from './lb-class-flag.js';
import { addRenderCommands } from './render-command.js';

const manifests = join(goldenScenarioDirectory(), 'load-balancer-class', 'input.yaml');

/** Runs `ferry ARGS`; stdout, stderr and the exit code it set. */
async function ferry(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    err.push(String(chunk));
    return true;
  });
  process.exitCode = undefined;
  try {
    const program = new Command('ferry').exitOverride();
    addRenderCommands(program);
    await program.parseAsync(['node', 'ferry', ...args]);
    return { stdout: out.join(''), stderr: err.join(''), exitCode: process.exitCode ?? 0 };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
    process.exitCode = undefined;
  }
}

/** `ferry render|explain` on the golden manifests for node-1, with more flags. */
const render = (...flags: string[]) =>
  ferry('render', '--manifests', manifests, '--node', 'node-1', ...flags);
const explain = (...flags: string[]) =>
  ferry('explain', '--manifests', manifests, '--node', 'node-1', ...flags);

afterEach(() => {
  delete process.env[LB_CLASS_ENV];
});

describe('ferry render / explain with two load balancers', () => {
  test('default class: the Service of example.com/other is not announced and says whose it is', async () => {
    const rendered = await render();
    expect(rendered).toMatchObject({ stderr: '', exitCode: 0 });
    expect(rendered.stdout.match(/^\s*network \S+/gm)).toEqual(['  network 203.0.113.5/32']);

    const explained = await explain('--service', 'default/other-lb');
    expect(explained.stdout).toBe(
      [
        'default/other-lb 203.0.113.20: not announced (otherLoadBalancerClass). spec.loadBalancerClass is "example.com/other": it belongs to another load balancer (--lb-class: only Services without spec.loadBalancerClass).',
        'default/other-lb (no IP): not announced (otherLoadBalancerClass). spec.loadBalancerClass is "example.com/other": it belongs to another load balancer (--lb-class: only Services without spec.loadBalancerClass).',
        '',
      ].join('\n'),
    );
  });

  test('--lb-class example.com/other: that Service is judged now (refused for its hostname entry), class-less ones are not', async () => {
    const rendered = await render('--lb-class', 'example.com/other');
    expect(rendered.exitCode).toBe(0);
    // other-lb has a hostname entry beside its IP: handled now, and refused for it as MetalLB would
    expect(rendered.stdout).not.toMatch(/^\s*network /m);
    const explained = await explain('--lb-class', 'example.com/other', '--output', 'json');
    const reasons = (
      JSON.parse(explained.stdout) as { decisions: { name: string; reason: string }[] }
    ).decisions.map((d) => `${d.name}: ${d.reason}`);
    expect(reasons).toEqual([
      'hostname-only: otherLoadBalancerClass',
      'ip-and-hostname: otherLoadBalancerClass',
      'ip-and-hostname: otherLoadBalancerClass',
      'leading-zero: otherLoadBalancerClass',
      'other-lb: invalidIP',
      'other-lb: invalidIP',
      'web: otherLoadBalancerClass',
    ]);
  });

  test('FERRY_LB_CLASS sets the class when the flag is absent; the flag wins', async () => {
    process.env[LB_CLASS_ENV] = 'example.com/other';
    const fromEnv = await explain('--service', 'default/web');
    expect(fromEnv.stdout).toContain('(--lb-class: only class "example.com/other")');
    const flagWins = await explain('--service', 'default/web', '--lb-class=');
    expect(flagWins.stdout).toMatch(/^default\/web 203\.0\.113\.5: announced\./);
  });
});
