// The loop that keeps FRR on the latest desired config (docs/design.md §6): a trailing debounce with a maximum
// wait coalesces bursts, one apply runs at a time and the latest desired config wins, failures retry
// with exponential backoff, and drift (someone ran `vtysh conf t`, a daemon restarted empty) is
// repaired on a timer and whenever FRR's socket / pid directory changes. Shell: timers, chokidar,
// winston, prom-client; every decision about FRR is the applier's.
//
// The bound on divergence: every `verifyIntervalMs` (default 5 s) the next apply is a full check —
// FRR's running config read back and compared with the desired config (its network lines exactly,
// the rest against the last apply), any difference repaired with frr-reload.py — also while Services
// keep changing (the check rides on the next apply) and also while a retry waits (retries back off to
// at most the same interval). So, whatever made FRR differ from the desired config (a restarted
// daemon, a lost incremental change, a concurrent vtysh), the difference lasts at most
// verifyIntervalMs + the apply in flight + one check and one frr-reload.py run; the desired config
// itself follows the cluster within the debounce (50–500 ms). This check sees the running config only:
// a route bgpd keeps advertising after its network line is gone (running config correct) is found by
// the speaker, which compares what bgpd advertises with the desired config on its reads of the
// advertised routes and repairs it through Applier.clearStaleAdvertisements (bound: two reads, ~20 s;
// see stale-advertisements.ts). docs/operations.md states the numbers.
import { watch, type FSWatcher } from 'chokidar';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Logger } from 'winston';
import type { Applier, ApplyResult } from './applier.js';
import { describeApplyOutcome, type ApplyOutcome } from './apply-outcome.js';
import { desiredText, type DesiredConfig, type PlannedEdits } from './desired-config.js';
import { redactSecrets } from './redact.js';

/** What started an apply. */
export type SyncTrigger = 'desired' | 'timer' | 'watch' | 'retry';

/** `desired`: the config FRR runs after it (the speaker learns which of its versions that is) */
type Timed = { readonly trigger: SyncTrigger; readonly durationMs: number; readonly desired: DesiredConfig };
type Retried = { readonly trigger: SyncTrigger; readonly retryInMs: number };

/** Every apply's outcome as it happened; a failure comes with the delay of its retry. */
export type SyncEvent =
  | ({ readonly kind: 'noop' } & Timed)
  | (Extract<ApplyOutcome, { kind: 'applied' | 'drift-repaired' }> & Timed)
  | (Extract<ApplyOutcome, { kind: 'invalid' | 'failed' }> & Retried);

export interface SyncLoopOptions {
  /** with `precheck`, FRR's parser checks a new desired config while the debounce waits */
  readonly applier: Pick<Applier, 'apply'> & Partial<Pick<Applier, 'precheck'>>;
  readonly logger: Logger;
  /** the ferry_frr_* metrics are registered here */
  readonly registry: Registry;
  /** quiet time after the last desired config before applying; default 50 ms */
  readonly debounceMs?: number;
  /** longest a desired config waits while changes keep coming; default 500 ms */
  readonly maxWaitMs?: number;
  /**
   * a desired config after this long without one is applied at once, not after the debounce: one
   * Service changed on a quiet node reaches FRR ~50 ms sooner, a burst is still batched (only its
   * first change goes alone); default 1 s, 0 = always debounce
   */
  readonly immediateAfterQuietMs?: number;
  /** how often the running config is checked against the desired one; default 5 s; 0 = never */
  readonly verifyIntervalMs?: number;
  /** FRR's pid / vty socket directory (e.g. /var/run/frr/NAME): a change there triggers a check */
  readonly watchDirectory?: string;
  /**
   * wait after a change in the watched directory: a restarted daemon first loads frr.conf itself
   * (watchfrr), and checking in the middle of that would repair a half-loaded config; default 1 s
   */
  readonly watchSettleMs?: number;
  /**
   * first retry after a failure, doubling up to `retryMaxMs`; defaults 500 ms and the verify
   * interval (a longer wait would outlast the divergence bound)
   */
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  readonly onEvent?: (event: SyncEvent) => void;
}

export interface SyncLoop {
  /**
   * The config FRR should run; applied after the debounce, the latest one wins. A DesiredConfig is
   * rendered only when applied, and its typed network edits spare the plan a text diff.
   */
  setDesired(config: string | DesiredConfig): void;
  /** Starts the drift timer and the directory watch. */
  start(): Promise<void>;
  /** Stops everything; an apply in flight finishes first. */
  stop(): Promise<void>;
  /** Checks the running config now (and repairs drift). */
  verifyNow(): void;
  /** Resolves once nothing is scheduled or running (tests, shutdown). */
  idle(): Promise<void>;
}

interface SyncMetrics {
  readonly duration: Histogram<'method'>;
  readonly failures: Counter<'method'>;
  readonly validationFailures: Counter;
  readonly driftRepairs: Counter;
}

function syncMetrics(registry: Registry): SyncMetrics {
  // Reuse what an earlier loop registered in the same registry (e.g. after a restart of the loop).
  const existing = <T>(name: string): T | undefined => registry.getSingleMetric(name) as T | undefined;
  return {
    duration:
      existing<Histogram<'method'>>('ferry_frr_apply_duration_seconds') ??
      new Histogram({
        name: 'ferry_frr_apply_duration_seconds',
        help: 'Time to bring FRR to the desired config, by method (incremental vtysh, bgpd vty channel or frr-reload.py).',
        labelNames: ['method'],
        buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers: [registry],
      }),
    failures:
      existing<Counter<'method'>>('ferry_frr_apply_failures_total') ??
      new Counter({
        name: 'ferry_frr_apply_failures_total',
        help: 'Applies FRR refused part way (rolled back to the last good config when possible).',
        labelNames: ['method'],
        registers: [registry],
      }),
    validationFailures:
      existing<Counter>('ferry_frr_validation_failures_total') ??
      new Counter({
        name: 'ferry_frr_validation_failures_total',
        help: "Desired configs FRR's parser refused; nothing was applied.",
        registers: [registry],
      }),
    driftRepairs:
      existing<Counter>('ferry_frr_drift_repairs_total') ??
      new Counter({
        name: 'ferry_frr_drift_repairs_total',
        help: 'Times the running config differed from the desired config (checked every 5 s) and was put back.',
        registers: [registry],
      }),
  };
}

/** How often the sync loop compares FRR's running config with the desired one by default. */
export const DEFAULT_VERIFY_INTERVAL_MS = 5_000;

export function createSyncLoop(options: SyncLoopOptions): SyncLoop {
  const debounceMs = options.debounceMs ?? 50;
  const maxWaitMs = options.maxWaitMs ?? 500;
  const immediateAfterQuietMs = options.immediateAfterQuietMs ?? 1_000;
  /** when the last desired config came */
  let lastDesiredAt: number | undefined;
  const verifyIntervalMs = options.verifyIntervalMs ?? DEFAULT_VERIFY_INTERVAL_MS;
  const watchSettleMs = options.watchSettleMs ?? 1_000;
  const retryInitialMs = options.retryInitialMs ?? 500;
  const retryMaxMs = options.retryMaxMs ?? (verifyIntervalMs > 0 ? verifyIntervalMs : 30_000);
  const { applier, logger } = options;
  const metrics = syncMetrics(options.registry);

  let desired: DesiredConfig | undefined;
  /** the desired config FRR accepted last, with its text: the base of the next typed edits */
  let accepted: { desired: DesiredConfig; text: string } | undefined;
  /** when the first not-yet-applied request of the current burst came */
  let burstStarted: number | undefined;
  let trigger: SyncTrigger = 'desired';
  let timer: NodeJS.Timeout | undefined;
  let timerDueAt: number | undefined;
  let verifyTimer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  let inFlight: Promise<void> | undefined;
  let rerun = false;
  let consecutiveFailures = 0;
  let stopped = false;
  let idleWaiters: (() => void)[] = [];
  let prechecking: DesiredConfig | undefined;
  /** the next apply compares FRR's running config with the desired one first */
  let verifyDue = false;

  /** The typed edits from the config FRR accepted last to `target`, when its producer knows them. */
  const plannedFor = (target: DesiredConfig): PlannedEdits | undefined => {
    const base = accepted;
    if (base === undefined || base.desired === target) return undefined;
    const edits = target.networkEditsSince?.(base.desired);
    return edits === undefined ? undefined : { from: base.text, edits };
  };

  /** One precheck at a time, always of the latest desired config: it only saves time, never decides. */
  const precheckLatest = () => {
    if (applier.precheck === undefined || prechecking !== undefined || desired === undefined) return;
    const target = desired;
    // A producer of typed edits (the speaker) changes network lines per Service event: a check ahead
    // would render the whole text per event. The apply checks what it must (the vty channel runs
    // none; vtysh checks the delta first).
    if (accepted !== undefined && target.networkEditsSince !== undefined) return;
    prechecking = target;
    void (async () => applier.precheck?.(target.text()))()
      .catch(() => undefined)
      .finally(() => {
        prechecking = undefined;
        if (desired !== target) precheckLatest();
      });
  };

  const emit = (event: SyncEvent) => options.onEvent?.(event);

  const settleIdle = () => {
    if (timer !== undefined || inFlight !== undefined) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  const schedule = (why: SyncTrigger, delayMs: number) => {
    if (stopped || desired === undefined) return;
    const now = performance.now();
    let dueAt: number;
    if (why === 'desired') {
      // Trailing debounce, but never later than maxWait after the first change of the burst.
      // (a pending drift check or retry does not make it a burst)
      const quiet =
        immediateAfterQuietMs > 0 &&
        (timer === undefined || trigger !== 'desired') &&
        (lastDesiredAt === undefined || now - lastDesiredAt >= immediateAfterQuietMs);
      lastDesiredAt = now;
      burstStarted ??= now;
      dueAt = quiet ? now : Math.min(now + delayMs, burstStarted + maxWaitMs);
      trigger = 'desired';
    } else {
      dueAt = now + delayMs;
      // A run coming sooner covers this one (every run checks the running config).
      if (timer !== undefined && timerDueAt !== undefined && timerDueAt <= dueAt) return;
      if (timer === undefined || trigger !== 'desired') trigger = why;
    }
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(fire, Math.max(0, dueAt - now));
    timerDueAt = dueAt;
  };

  const retryDelay = () => Math.min(retryMaxMs, retryInitialMs * 2 ** Math.max(0, consecutiveFailures - 1));

  /** The event for an apply's result, counting it in the metrics. */
  const outcomeEvent = (result: ApplyResult, why: SyncTrigger, desired: DesiredConfig): SyncEvent => {
    switch (result.kind) {
      case 'noop':
        consecutiveFailures = 0;
        return { kind: 'noop', trigger: why, durationMs: result.durationMs, desired };
      case 'applied':
        consecutiveFailures = 0;
        metrics.duration.observe({ method: result.method }, result.durationMs / 1000);
        if (result.reason !== 'drift') {
          const { method, reason, durationMs } = result;
          return { kind: 'applied', trigger: why, method, reason, durationMs, desired };
        }
        metrics.driftRepairs.inc();
        return {
          kind: 'drift-repaired',
          trigger: why,
          method: result.method,
          durationMs: result.durationMs,
          desired,
        };
      case 'invalid':
        consecutiveFailures++;
        metrics.validationFailures.inc();
        return { kind: 'invalid', trigger: why, error: result.error, retryInMs: retryDelay() };
      case 'failed': {
        consecutiveFailures++;
        metrics.failures.inc({ method: result.method });
        const { method, error, rolledBack } = result;
        return { kind: 'failed', trigger: why, method, error, rolledBack, retryInMs: retryDelay() };
      }
    }
  };

  /** The one log line of an apply. The applier's strings are redacted already. */
  const log = (event: SyncEvent, result: ApplyResult) => {
    const durationMs = Math.round(result.durationMs * 10) / 10;
    switch (event.kind) {
      case 'noop':
        logger.debug('FRR config unchanged', { trigger: event.trigger, durationMs });
        return;
      case 'applied':
      case 'drift-repaired':
        // a repaired drift means someone or something changed FRR behind ferry's back: a warning
        logger.log(event.kind === 'applied' ? 'info' : 'warn', 'FRR config applied', {
          trigger: event.trigger,
          method: event.method,
          result: describeApplyOutcome(event),
          commands: result.kind === 'applied' ? result.commandCount : 0,
          durationMs,
          // what differed: the network lines FRR had beyond or short of the desired ones
          ...(result.kind === 'applied' && result.drift !== undefined ? { drift: result.drift } : {}),
        });
        return;
      case 'invalid':
        logger.error("FRR's parser refused the desired config; the last good config keeps running", {
          trigger: event.trigger,
          error: event.error.message,
          line: event.error.line,
          lineText: event.error.lineText,
          retryInMs: event.retryInMs,
        });
        return;
      case 'failed':
        logger.error('FRR apply failed', {
          trigger: event.trigger,
          method: event.method,
          error: event.error.message,
          kind: event.error.kind,
          rolledBack: event.rolledBack,
          retryInMs: event.retryInMs,
        });
    }
  };

  const report = (result: ApplyResult, why: SyncTrigger, desired: DesiredConfig) => {
    const event = outcomeEvent(result, why, desired);
    log(event, result);
    emit(event);
    if (event.kind === 'invalid' || event.kind === 'failed') schedule('retry', event.retryInMs);
  };

  const runOnce = async (): Promise<void> => {
    const target = desired;
    const why = trigger;
    const verify = verifyDue;
    verifyDue = false;
    if (target === undefined) return;
    try {
      const text = target.text();
      const planned = plannedFor(target);
      const result = await applier.apply(text, { verify, ...(planned === undefined ? {} : { planned }) });
      if (result.kind === 'applied' || result.kind === 'noop') {
        accepted = { desired: target, text };
        target.applied?.();
      } else accepted = undefined;
      report(result, why, target);
    } catch (error) {
      // The applier returns FRR failures as values; a throw is a bug or a local I/O error (frr.conf).
      accepted = undefined;
      consecutiveFailures++;
      const retryInMs = retryDelay();
      logger.error('FRR apply threw', { trigger: why, error: redactSecrets(String(error)), retryInMs });
      schedule('retry', retryInMs);
    }
  };

  function fire() {
    timer = undefined;
    timerDueAt = undefined;
    burstStarted = undefined;
    if (inFlight !== undefined) {
      // One apply at a time; the one after it takes whatever is desired by then.
      rerun = true;
      return;
    }
    inFlight = (async () => {
      do {
        rerun = false;
        await runOnce();
        // a check that came due during this apply runs right after it
        if (!rerun && verifyDue) trigger = 'timer';
      } while ((rerun || verifyDue) && !stopped);
    })().finally(() => {
      inFlight = undefined;
      settleIdle();
    });
  }

  return {
    setDesired(config) {
      desired = typeof config === 'string' ? desiredText(config) : config;
      schedule('desired', debounceMs);
      precheckLatest();
    },
    async start() {
      stopped = false;
      if (verifyIntervalMs > 0) {
        verifyTimer = setInterval(() => {
          verifyDue = true;
          // replaces a later retry; an apply in flight runs the check right after itself
          if (inFlight === undefined) schedule('timer', 0);
        }, verifyIntervalMs);
      }
      if (options.watchDirectory !== undefined) {
        watcher = watch(options.watchDirectory, { ignoreInitial: true, depth: 0 });
        watcher.on('all', (event, path) => {
          logger.debug('frr run directory changed', { event, path });
          schedule('watch', watchSettleMs);
        });
        watcher.on('error', (error) =>
          logger.warn('cannot watch the frr run directory', { error: String(error) }),
        );
        await new Promise<void>((resolve) => watcher?.once('ready', () => resolve()));
      }
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      if (verifyTimer !== undefined) clearInterval(verifyTimer);
      verifyTimer = undefined;
      await watcher?.close();
      watcher = undefined;
      await inFlight;
      settleIdle();
    },
    verifyNow() {
      verifyDue = true;
      if (inFlight === undefined) schedule('timer', 0);
    },
    idle() {
      if (timer === undefined && inFlight === undefined) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}
