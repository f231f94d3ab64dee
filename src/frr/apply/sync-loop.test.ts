import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import winston from 'winston';
import type { ApplyResult } from './applier.js';
import type { DesiredConfig, PlannedEdits } from './desired-config.js';
import { createSyncLoop, type SyncEvent, type SyncLoop, type SyncLoopOptions } from './sync-loop.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const APPLIED: ApplyResult = {
  kind: 'applied',
  method: 'incremental',
  reason: 'incremental',
  commandCount: 7,
  durationMs: 5,
};

function capturingLogger(): { logger: winston.Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = winston.createLogger({
    level: 'debug',
    format: winston.format.json(),
    transports: [new winston.transports.Stream({ stream })],
  });
  return { logger, lines };
}

interface Harness {
  loop: SyncLoop;
  applied: string[];
  /** per apply: whether the loop asked for a check of the running config first */
  verified: boolean[];
  events: SyncEvent[];
  registry: Registry;
  lines: string[];
  /** results returned by apply, in order; APPLIED once exhausted */
  results: ApplyResult[];
  /** per apply: the edits planned by the loop, if any */
  planned: (PlannedEdits | undefined)[];
}

function harness(options: Partial<SyncLoopOptions> & { applyMs?: number } = {}): Harness {
  const applied: string[] = [];
  const verified: boolean[] = [];
  const events: SyncEvent[] = [];
  const results: ApplyResult[] = [];
  const planned: (PlannedEdits | undefined)[] = [];
  const registry = new Registry();
  const { logger, lines } = capturingLogger();
  const loop = createSyncLoop({
    applier: {
      async apply(config, applyOptions) {
        applied.push(config);
        planned.push(applyOptions?.planned);
        verified.push(applyOptions?.verify === true);
        await sleep(options.applyMs ?? 1);
        return results.shift() ?? APPLIED;
      },
    },
    logger,
    registry,
    debounceMs: 20,
    maxWaitMs: 100,
    verifyIntervalMs: 0,
    retryInitialMs: 20,
    retryMaxMs: 80,
    onEvent: (event) => events.push(event),
    ...options,
  });
  return { loop, applied, verified, events, registry, lines, results, planned };
}

async function metric(registry: Registry, name: string): Promise<number> {
  const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
  return values.reduce(
    (sum, v) => sum + ((v as { metricName?: string }).metricName?.endsWith('_bucket') ? 0 : v.value),
    0,
  );
}

describe('sync loop', () => {
  test('typed edits of a desired config go to the applier with the text FRR accepted last', async () => {
    const h = harness();
    const edit = { kind: 'add-line', path: ['router bgp 65100'], line: 'network 203.0.113.9/32' } as const;
    let rendered = 0;
    const first: DesiredConfig = { text: () => 'one' };
    const second: DesiredConfig = {
      text: () => {
        rendered++;
        return 'two';
      },
      networkEditsSince: (base) => (base === first ? [edit] : undefined),
    };
    h.loop.setDesired(first);
    await sleep(40);
    await h.loop.idle();
    h.loop.setDesired(second);
    // nothing rendered per event: only when the debounced apply runs
    expect(rendered).toBe(0);
    await sleep(40);
    await h.loop.idle();
    expect(h.applied).toEqual(['one', 'two']);
    expect(h.planned).toEqual([undefined, { from: 'one', edits: [edit] }]);
    expect(rendered).toBe(1);
  });

  test('after a failed apply the next one gets no typed edits (the applier diffs texts)', async () => {
    const h = harness();
    h.results.push(APPLIED, {
      kind: 'invalid',
      error: { kind: 'syntax', message: 'no', line: 1, lineText: 'x' },
      durationMs: 1,
    });
    const edits = { networkEditsSince: () => [] };
    h.loop.setDesired({ text: () => 'one' });
    await sleep(40);
    await h.loop.idle();
    h.loop.setDesired({ text: () => 'two', ...edits });
    await sleep(40);
    await h.loop.idle();
    expect(h.applied).toEqual(['one', 'two', 'two']);
    // the refused one had typed edits; its retry (FRR may run anything after a failure) has none
    expect(h.planned).toEqual([undefined, { from: 'one', edits: [] }, undefined]);
  });

  test('a burst of desired configs is applied once, with the latest', async () => {
    const h = harness();
    for (let i = 0; i < 10; i++) h.loop.setDesired(`config ${i}`);
    await sleep(5);
    expect(h.applied).toEqual([]);
    await sleep(40);
    await h.loop.idle();
    expect(h.applied).toEqual(['config 9']);
    expect(h.events).toMatchObject([{ kind: 'applied', trigger: 'desired', method: 'incremental' }]);
  });

  test('a change after a quiet while is applied at once; the ones right after it are debounced', async () => {
    const h = harness({ immediateAfterQuietMs: 200, verifyIntervalMs: 60_000 });
    h.loop.setDesired('first');
    await sleep(5);
    expect(h.applied).toEqual(['first']);
    h.loop.setDesired('second');
    await sleep(5);
    // not quiet: waits for the debounce
    expect(h.applied).toEqual(['first']);
    await sleep(100);
    expect(h.applied).toEqual(['first', 'second']);
    await sleep(250);
    h.loop.setDesired('third');
    await sleep(5);
    expect(h.applied).toEqual(['first', 'second', 'third']);
  });

  test('a config that keeps changing is still applied within the maximum wait', async () => {
    const h = harness();
    const started = performance.now();
    let firstApplyAt: number | undefined;
    for (let i = 0; i < 30; i++) {
      h.loop.setDesired(`config ${i}`);
      if (firstApplyAt === undefined && h.applied.length > 0) firstApplyAt = performance.now();
      await sleep(10);
    }
    await h.loop.idle();
    expect(firstApplyAt).toBeDefined();
    expect((firstApplyAt ?? 0) - started).toBeLessThan(400);
    expect(h.applied.at(-1)).toBe('config 29');
  });

  test('one apply at a time; changes during an apply are applied right after it, latest wins', async () => {
    const h = harness({ applyMs: 80 });
    h.loop.setDesired('a');
    await sleep(40);
    h.loop.setDesired('b');
    h.loop.setDesired('c');
    await sleep(30);
    expect(h.applied).toEqual(['a']);
    await h.loop.idle();
    expect(h.applied).toEqual(['a', 'c']);
  });

  test('a failure is retried with exponential backoff until it works', async () => {
    const error = { kind: 'rejected' as const, message: '% refused', line: undefined, lineText: undefined };
    const h = harness();
    h.results.push(
      { kind: 'failed', method: 'incremental', error, rolledBack: true, durationMs: 1 },
      { kind: 'failed', method: 'reload', error, rolledBack: true, durationMs: 1 },
    );
    h.loop.setDesired('x');
    await sleep(30);
    await h.loop.idle();
    expect(h.events.map((e) => e.kind)).toEqual(['failed', 'failed', 'applied']);
    expect(h.events.map((e) => ('retryInMs' in e ? e.retryInMs : 0))).toEqual([20, 40, 0]);
    expect(h.events.map((e) => e.trigger)).toEqual(['desired', 'retry', 'retry']);
    expect(await metric(h.registry, 'ferry_frr_apply_failures_total')).toBe(2);
  });

  test('an invalid config is counted and logged once, with its line', async () => {
    const h = harness();
    // The applier's errors come redacted (applier.test.ts): the loop logs them as they are.
    h.results.push({
      kind: 'invalid',
      error: {
        kind: 'syntax',
        message: 'line 3: % Unknown command: neighbor 192.0.2.1 password <redacted>',
        line: 3,
        lineText: 'neighbor 192.0.2.1 password <redacted>',
      },
      durationMs: 1,
    });
    h.loop.setDesired('router bgp 65100\n neighbor 192.0.2.1 password s3cret\n');
    await sleep(30);
    await h.loop.idle();
    await h.loop.stop();
    expect(await metric(h.registry, 'ferry_frr_validation_failures_total')).toBe(1);
    const logged = h.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged.filter((entry) => entry.level === 'error')).toEqual([
      expect.objectContaining({
        message: "FRR's parser refused the desired config; the last good config keeps running",
        line: 3,
        lineText: 'neighbor 192.0.2.1 password <redacted>',
      }),
    ]);
  });

  test('each apply is logged once, with the outcome in words and its duration', async () => {
    const h = harness();
    h.loop.setDesired('x');
    await sleep(30);
    await h.loop.idle();
    const logged = h.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged).toEqual([
      expect.objectContaining({
        level: 'info',
        message: 'FRR config applied',
        trigger: 'desired',
        method: 'incremental',
        result: 'success (incremental, incremental)',
        commands: 7,
        durationMs: 5,
      }),
    ]);
  });

  test('a drift repair is reported, counted, and the apply duration is observed per method', async () => {
    const h = harness();
    h.results.push(APPLIED, {
      kind: 'applied',
      method: 'reload',
      reason: 'drift',
      commandCount: 0,
      durationMs: 900,
    });
    h.loop.setDesired('x');
    await sleep(30);
    await h.loop.idle();
    h.loop.verifyNow();
    await sleep(5);
    await h.loop.idle();
    expect(h.events).toMatchObject([
      { kind: 'applied' },
      { kind: 'drift-repaired', trigger: 'timer', method: 'reload' },
    ]);
    expect(await metric(h.registry, 'ferry_frr_drift_repairs_total')).toBe(1);
    const text = await h.registry.metrics();
    expect(text).toContain('ferry_frr_apply_duration_seconds_count{method="incremental"} 1');
    expect(text).toContain('ferry_frr_apply_duration_seconds_count{method="reload"} 1');
  });

  test('the drift timer checks periodically once a config is desired', async () => {
    const h = harness({ verifyIntervalMs: 30 });
    await h.loop.start();
    await sleep(50);
    expect(h.applied).toEqual([]);
    h.loop.setDesired('x');
    await sleep(120);
    await h.loop.stop();
    expect(h.applied.length).toBeGreaterThanOrEqual(2);
    expect(h.events.slice(1).every((e) => e.trigger === 'timer')).toBe(true);
  });

  test('the periodic check rides on the next apply while the desired config keeps changing', async () => {
    const h = harness({ verifyIntervalMs: 60, debounceMs: 5, maxWaitMs: 20, applyMs: 15 });
    await h.loop.start();
    for (let i = 0; i < 30; i++) {
      h.loop.setDesired(`config ${i}`);
      await sleep(10);
    }
    await h.loop.stop();
    // about one check per interval over ~300 ms, each on an apply of a changed config
    const checks = h.verified.filter(Boolean).length;
    expect(checks).toBeGreaterThanOrEqual(2);
    expect(checks).toBeLessThan(h.applied.length);
    expect(new Set(h.applied.filter((_, i) => h.verified[i])).size).toBe(checks);
  });

  test('retries back off to at most the check interval, and a check replaces a longer wait', async () => {
    const failure: ApplyResult = {
      kind: 'failed',
      method: 'reload',
      error: { kind: 'not-running', message: 'bgpd is not running', line: undefined, lineText: undefined },
      rolledBack: false,
      durationMs: 1,
    };
    const h = harness({ verifyIntervalMs: 80, retryInitialMs: 60_000, retryMaxMs: undefined });
    h.results.push(failure, failure, failure);
    await h.loop.start();
    h.loop.setDesired('x');
    await sleep(400);
    await h.loop.stop();
    expect(h.events.map((e) => e.kind).slice(0, 4)).toEqual(['failed', 'failed', 'failed', 'applied']);
    expect(h.events[0]).toMatchObject({ retryInMs: 80 });
  });

  test('a change in the FRR run directory triggers a check after the settle time', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'ferry-sync-'));
    try {
      const h = harness({ watchDirectory: directory, watchSettleMs: 30 });
      await h.loop.start();
      h.loop.setDesired('x');
      await sleep(40);
      await h.loop.idle();
      await writeFile(join(directory, 'bgpd.pid'), '1234\n');
      await sleep(250);
      await h.loop.idle();
      await h.loop.stop();
      expect(h.events.map((e) => e.trigger)).toEqual(['desired', 'watch']);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  test('the parser check of a new config starts at once, one at a time, for the latest config', async () => {
    const prechecked: string[] = [];
    const h = harness({
      applier: {
        apply: async () => APPLIED,
        async precheck(config) {
          prechecked.push(config);
          await sleep(10);
        },
      },
    });
    h.loop.setDesired('a');
    h.loop.setDesired('b');
    h.loop.setDesired('c');
    expect(prechecked).toEqual(['a']);
    await sleep(40);
    await h.loop.idle();
    expect(prechecked).toEqual(['a', 'c']);
  });

  test('two loops can share a registry', () => {
    const registry = new Registry();
    harness({ registry });
    expect(() => harness({ registry })).not.toThrow();
  });
});
