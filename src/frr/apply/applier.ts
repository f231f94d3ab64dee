// Keeps a real FRR in sync with the config ferry renders (docs/design.md §6). Shell: all FRR I/O goes
// through src/frr/vtysh.ts, the only file write is the frr.conf FRR boots from. Pipeline:
//   (b) same desired text, the running config unchanged since the last apply and its network lines
//       those of the desired config → nothing (any difference: frr-reload.py, reason `drift`);
//   (a) FRR's parser checks the change first: a rejected config is never applied;
//   (c) a Service-churn change → one vtysh call; the running config FRR now holds is predicted from
//       the one it printed before plus the edits (optionally read back in the same call), and every
//       later drift check compares FRR's output with that prediction;
//   (c') with a bgpd vty channel, a change of `network` lines only goes to bgpd over its vty socket
//       instead (no process, no separate parser run: bgpd's parser checks each line as it runs it);
//       any failure there falls back to (e) then (c);
//   (d) anything else, a first apply and drift → frr-reload.py --reload;
//   (e) a failed apply (vtysh stops half way, frr-reload applies partially) → frr-reload.py back to the
//       last good config, then check the running config is the one remembered;
//   (f) success → remember (desired text, running config); after frr-reload.py only when the running
//       config's network lines are exactly the desired ones (see network-lines.ts): a config someone
//       changed while the reload ran is never taken for the desired one.
// `apply(…, { verify: true })` checks the running config first also when the desired text changed,
// so a periodic check bounds drift even while Services keep changing.
import { chmod, chown, rename, stat, writeFile } from 'node:fs/promises';
import type { VtyChannel, VtyChannelError } from '../vty-channel.js';
import type { FrrError, Vtysh } from '../vtysh.js';
import {
  isNetworkLine,
  isRoutedNetworkLine,
  parseAddressFamilyLine,
  parseRouterBgpLine,
} from './bgp-lines.js';
import { applyEdits, deltaConfigText, type ConfigEdit } from './config-edit.js';
import { nextTurn } from '../../util/next-turn.js';
import { canonicalConfig, parseConfigTree, type ConfigTree } from './config-tree.js';
import { networkLineDifference, networkLines } from './network-lines.js';
import type { PlannedEdits } from './desired-config.js';
import { planChangeWith, type ApplyPlan } from './plan.js';
import { redactSecrets } from './redact.js';
import { reloadFileText, unmanagedLines } from './reload-file.js';
import { desiredRouters, type StaleAdvertisement } from './stale-advertisements.js';
import { SerialQueue } from '../../util/serial-queue.js';

/**
 * `incremental`: the plan's commands in one vtysh call; `channel`: the same commands (network lines
 * only) over the persistent bgpd vty connection; `reload`: frr-reload.py.
 */
export type ApplyMethod = 'incremental' | 'channel' | 'reload';

/** Why FRR refused a config; FRR's words, with secrets redacted. */
export interface ApplyError {
  readonly kind: FrrError['kind'] | VtyChannelError['kind'] | 'drift';
  readonly message: string;
  /** 1-based line of the desired config FRR refused, when known */
  readonly line: number | undefined;
  /** that line's text (redacted) */
  readonly lineText: string | undefined;
}

export type ApplyResult =
  | { readonly kind: 'noop'; readonly durationMs: number }
  | {
      readonly kind: 'applied';
      readonly method: ApplyMethod;
      /** why this method: `incremental`, `start`, `drift`, or what made the plan need a reload (redacted) */
      readonly reason: string;
      /** vtysh commands sent (incremental) */
      readonly commandCount: number;
      /** with reason `drift`: what differed, when known */
      readonly drift?: string;
      readonly durationMs: number;
    }
  /** FRR's parser refused the config; nothing was applied, the last good config keeps running */
  | { readonly kind: 'invalid'; readonly error: ApplyError; readonly durationMs: number }
  /** FRR refused part of it while applying; `rolledBack` says whether the last good config is back */
  | {
      readonly kind: 'failed';
      readonly method: ApplyMethod;
      readonly error: ApplyError;
      readonly rolledBack: boolean;
      readonly durationMs: number;
    };

export interface ApplierOptions {
  readonly vtysh: Vtysh;
  /**
   * The frr.conf FRR loads at boot (and watchfrr when it restarts a daemon). Rewritten on every
   * successful apply, so a restarted daemon comes back with the current config; frr-reload.py is
   * pointed at this file, which must be `<confdir>/frr.conf` (else it `write`s the running config).
   */
  readonly configFile: string;
  /**
   * Append `show running-config` to the incremental vtysh call and compare it with the prediction
   * (drift before the change is then repaired at once, at the cost of printing the whole config on
   * every change: ~+50% at 10,000 prefixes). Default false: drift checks on the timer, the FRR
   * directory watch and every unchanged apply compare FRR's output with the prediction instead.
   */
  readonly readBackAfterIncremental?: boolean;
  /**
   * A vty channel to bgpd (`createVtyChannel({ socketPath: vtySocketPath(dir, 'bgpd') })`). When set,
   * a change of `network P route-map R` lines of one address family (Service churn) is sent over it:
   * one socket round trip per command instead of a vtysh process plus a `vtysh -C` parser run. Not
   * used with `readBackAfterIncremental` (the read-back needs every daemon, i.e. vtysh).
   */
  readonly bgpdChannel?: VtyChannel;
  /** wait before reloading again when FRR changed during frr-reload.py; default 1 s */
  readonly reloadRetryMs?: number;
}

export interface Applier {
  /**
   * Brings FRR to the desired config; never throws for FRR-side failures. One apply at a time.
   * `verify`: compare FRR's running config with the desired one first, even when the desired text
   * changed (an unchanged text is always checked), and repair any difference with frr-reload.py.
   */
  apply(desired: string, options?: ApplyOptions): Promise<ApplyResult>;
  /**
   * Runs FRR's parser on the change `desired` would make, ahead of `apply` (e.g. while the sync loop
   * debounces); a later `apply` of the same change skips its own check. Never applies anything.
   */
  precheck(desired: string): Promise<void>;
  /** The last desired config FRR accepted, if any. */
  lastApplied(): string | undefined;
  /** Forgets the last apply: the next one goes through frr-reload.py (e.g. after an FRR restart). */
  forget(): void;
  /**
   * Makes bgpd withdraw routes it advertises with no network line behind them (see
   * stale-advertisements.ts): per prefix, in its router and address family, `network P` then
   * `no network P`, which re-creates bgpd's static route and then withdraws it. Serialized with the
   * applies; prefixes the last applied config does originate are left alone. The running config is
   * read back afterwards: if it is not the remembered one, the next apply repairs it with
   * frr-reload.py.
   */
  clearStaleAdvertisements(stale: readonly StaleAdvertisement[]): Promise<ClearStaleResult>;
}

/** What `clearStaleAdvertisements` did. */
export type ClearStaleResult =
  | { readonly kind: 'cleared'; readonly prefixes: readonly string[] }
  /** nothing sent: no apply yet, or every prefix is desired now */
  | { readonly kind: 'skipped' }
  | { readonly kind: 'failed'; readonly error: ApplyError };

export interface ApplyOptions {
  readonly verify?: boolean;
  /** the edits from the config FRR runs, when the caller knows them (no text diff then) */
  readonly planned?: PlannedEdits;
}

interface AppliedState {
  readonly desired: string;
  /** `show running-config` right after a reload, or that plus the incremental edits since */
  readonly runningTree: ConfigTree;
  /** the running config's lines ferry does not manage, kept in frr.conf */
  readonly unmanaged: readonly string[];
}

type IncrementalPlan = Extract<ApplyPlan, { kind: 'incremental' }>;

/** What FRR's parser said about a delta file, kept for the apply that follows a precheck. */
type DeltaCheck = { readonly ok: true } | { readonly ok: false; readonly error: FrrError };

const PRECHECK_CACHE_SIZE = 8;

/** frr-reload.py runs per apply while FRR keeps ending up with other network lines than desired. */
const RELOAD_ATTEMPTS = 3;
/** reloads that may wait for a restarting bgpd (one per reloadRetryMs, 1 s by default) */
const BGPD_RESTART_WAITS = 30;

const RUNNING_CONFIG_BANNER = 'Building configuration...';

function applyError(error: FrrError, lineText?: string, line?: number): ApplyError {
  return {
    kind: error.kind,
    message: redactSecrets(error.message),
    line: line ?? error.line,
    lineText: lineText === undefined ? undefined : redactSecrets(lineText.trim()),
  };
}

/** Where a line of the delta file sits in the whole desired config (first line with that text). */
function desiredLineNumber(desired: string, lineText: string): number | undefined {
  const wanted = lineText.trim().replace(/^no /, '');
  const index = desired.split('\n').findIndex((line) => line.trim() === wanted);
  return index >= 0 ? index + 1 : undefined;
}

async function writeConfigFile(path: string, text: string): Promise<void> {
  // Write beside and rename: a daemon restarting at this moment reads the old or the new file, never half.
  const temporary = `${path}.ferry-tmp`;
  const previous = await stat(path).catch(() => undefined);
  await writeFile(temporary, text, { mode: 0o640 });
  if (previous !== undefined) {
    await chown(temporary, previous.uid, previous.gid).catch(() => undefined);
    await chmod(temporary, previous.mode & 0o777);
  }
  await rename(temporary, path);
}

/**
 * Above this many edits the channel's round trip per line (~1–2 ms) costs more than one `vtysh -f`
 * process (bgpd loads 10,000 network lines from a file in under a second).
 */
const CHANNEL_MAX_EDITS = 64;

/**
 * Edits that only add, remove or re-point `network P route-map R` lines of one address family: what
 * bgpd alone holds, so its vty socket is enough (route maps and lists live in several daemons, which
 * vtysh addresses together).
 */
export function isNetworkChurn(edits: readonly ConfigEdit[]): boolean {
  const [router, family] = edits[0]?.path ?? [];
  if (router === undefined || family === undefined) return false;
  if (parseRouterBgpLine(router) === undefined || parseAddressFamilyLine(family) === undefined) return false;
  return edits.every(
    (edit) =>
      (edit.kind === 'add-line' || edit.kind === 'remove-line' || edit.kind === 'replace-line') &&
      edit.path.length === 2 &&
      edit.path[0] === router &&
      edit.path[1] === family &&
      isRoutedNetworkLine(edit.line),
  );
}

/** A command of a network-churn batch that changes the config (the rest only move between nodes). */
const changesConfig = (command: string | undefined) =>
  command !== undefined && isNetworkLine(command.replace(/^no /, ''));

function channelApplyError(error: VtyChannelError): ApplyError {
  return {
    kind: error.kind,
    message: redactSecrets(error.message),
    line: undefined,
    lineText: error.command === undefined ? undefined : redactSecrets(error.command),
  };
}

export function createApplier(options: ApplierOptions): Applier {
  const { vtysh, configFile } = options;
  let state: AppliedState | undefined;
  const queue = new SerialQueue();

  const checkedDeltas = new Map<string, DeltaCheck>();
  let runningCanonicalCache: { tree: ConfigTree; canonical: string } | undefined;

  const remember = (desired: string, running: string, unmanaged: readonly string[]): AppliedState => ({
    desired,
    runningTree: parseConfigTree(running),
    unmanaged,
  });

  /** The remembered running config in order-free form, computed once per state. */
  const expectedCanonical = (applied: AppliedState): string => {
    if (runningCanonicalCache?.tree !== applied.runningTree) {
      runningCanonicalCache = { tree: applied.runningTree, canonical: canonicalConfig(applied.runningTree) };
    }
    return runningCanonicalCache.canonical;
  };

  const sameAsRemembered = (applied: AppliedState, running: string): boolean =>
    canonicalConfig(parseConfigTree(running)) === expectedCanonical(applied);

  /** The network lines of a desired config, computed once per text (10,000 lines: ~20 ms). */
  let desiredNetworksCache: { desired: string; lines: readonly string[] } | undefined;
  const desiredNetworks = (desired: string): readonly string[] => {
    if (desiredNetworksCache?.desired !== desired)
      desiredNetworksCache = { desired, lines: networkLines(parseConfigTree(desired)) };
    return desiredNetworksCache.lines;
  };

  /**
   * Why FRR's running config is not what ferry wants, or undefined when it is. Each step is O(the
   * config) (tens of milliseconds at 10,000 prefixes): the event loop gets a turn between them.
   */
  const divergence = async (applied: AppliedState, running: string): Promise<string | undefined> => {
    const tree = parseConfigTree(running);
    await nextTurn();
    const desiredLines = desiredNetworks(applied.desired);
    await nextTurn();
    const { extra, missing } = networkLineDifference(networkLines(tree), desiredLines);
    if (extra.length > 0 || missing.length > 0)
      return `FRR originates ${extra.length} network lines the desired config lacks (e.g. ${extra[0] ?? '-'}) and lacks ${missing.length} (e.g. ${missing[0] ?? '-'})`;
    await nextTurn();
    const expected = expectedCanonical(applied);
    await nextTurn();
    if (canonicalConfig(tree) !== expected) return 'the running config differs from the last apply';
    return undefined;
  };

  const checkDelta = async (delta: string): Promise<DeltaCheck> => {
    const cached = checkedDeltas.get(delta);
    if (cached !== undefined) return cached;
    const result = await vtysh.dryRun(delta);
    const check: DeltaCheck = result.ok ? { ok: true } : { ok: false, error: result.error };
    checkedDeltas.set(delta, check);
    while (checkedDeltas.size > PRECHECK_CACHE_SIZE) {
      const oldest = checkedDeltas.keys().next().value;
      if (oldest === undefined) break;
      checkedDeltas.delete(oldest);
    }
    return check;
  };

  const readRunning = async (): Promise<{ ok: true; text: string } | { ok: false; error: FrrError }> => {
    const result = await vtysh.runningConfig();
    return result.ok ? { ok: true, text: result.value } : { ok: false, error: result.error };
  };

  /** bgpd does not answer at all (killed, watchfrr restarting it): FRR can hold no network line. */
  const bgpdDown = async (): Promise<boolean> => {
    const answer = await vtysh.show('show bgp summary json');
    return !answer.ok && answer.error.kind === 'not-running';
  };

  /** frr-reload.py back to the last good config; true when the running config is the remembered one. */
  const rollBack = async (): Promise<boolean> => {
    const good = state;
    state = undefined;
    if (good === undefined) return false;
    await writeConfigFile(configFile, reloadFileText(good.desired, good.unmanaged));
    const reload = await vtysh.frrReload(configFile, 'reload');
    const running = await readRunning();
    if (!reload.ok || !running.ok) return false;
    if (!sameAsRemembered(good, running.text)) return false;
    state = remember(good.desired, running.text, good.unmanaged);
    return true;
  };

  const reloadTo = async (
    desired: string,
    reason: string,
    started: number,
    validated: boolean,
  ): Promise<ApplyResult> => {
    const took = () => performance.now() - started;
    if (!validated) {
      const check = await vtysh.dryRun(desired);
      if (!check.ok) {
        const lineText =
          check.error.line === undefined ? undefined : desired.split('\n')[check.error.line - 1];
        return { kind: 'invalid', error: applyError(check.error, lineText), durationMs: took() };
      }
    }
    const before = await readRunning();
    if (!before.ok)
      return {
        kind: 'failed',
        method: 'reload',
        error: applyError(before.error),
        rolledBack: false,
        durationMs: took(),
      };
    const unmanaged = unmanagedLines(before.text, desired);
    await writeConfigFile(configFile, reloadFileText(desired, unmanaged));
    let bgpdWaits = 0;
    for (let attempt = 1; ; attempt++) {
      const reload = await vtysh.frrReload(configFile, 'reload');
      if (!reload.ok) {
        // Syntax errors are refused as a whole, anything else may be half applied: return to the last
        // good config either way (this also restores frr.conf).
        const rolledBack = await rollBack();
        return {
          kind: 'failed',
          method: 'reload',
          error: applyError(reload.error),
          rolledBack,
          durationMs: took(),
        };
      }
      const after = await readRunning();
      if (!after.ok) {
        state = undefined;
        return {
          kind: 'failed',
          method: 'reload',
          error: applyError(after.error),
          rolledBack: false,
          durationMs: took(),
        };
      }
      const { extra, missing } = networkLineDifference(
        networkLines(parseConfigTree(after.text)),
        desiredNetworks(desired),
      );
      if (extra.length === 0 && missing.length === 0) {
        state = remember(desired, after.text, unmanaged);
        return { kind: 'applied', method: 'reload', reason, commandCount: 0, durationMs: took() };
      }
      // Something changed FRR while frr-reload.py ran (a daemon restarting and loading frr.conf
      // itself, a vtysh left running by a killed speaker): remembering this print would make every
      // later check agree with it. Reload again shortly; report a failure only if it persists.
      // While bgpd itself is down (watchfrr restarting it) no reload can hold: wait for it, up to
      // BGPD_RESTART_WAITS tries, without counting them as attempts.
      if (bgpdWaits < BGPD_RESTART_WAITS && (await bgpdDown())) {
        bgpdWaits++;
        attempt--;
      } else if (attempt >= RELOAD_ATTEMPTS) {
        state = undefined;
        return {
          kind: 'failed',
          method: 'reload',
          error: {
            kind: 'drift',
            message: `after frr-reload.py FRR originates ${extra.length} network lines the desired config lacks (e.g. ${redactSecrets(extra[0] ?? '-')}) and lacks ${missing.length} (e.g. ${redactSecrets(missing[0] ?? '-')})`,
            line: undefined,
            lineText: undefined,
          },
          rolledBack: false,
          durationMs: took(),
        };
      }
      await new Promise((resolve) => setTimeout(resolve, options.reloadRetryMs ?? 1_000));
    }
  };

  const applyNow = async (desired: string, options: ApplyOptions): Promise<ApplyResult> => {
    const started = performance.now();
    const took = () => performance.now() - started;
    const previous = state;
    if (previous === undefined) return reloadTo(desired, 'start', started, false);

    if (desired === previous.desired || options.verify === true) {
      const running = await readRunning();
      const drift = running.ok ? await divergence(previous, running.text) : running.error.message;
      if (drift === undefined) {
        if (desired === previous.desired) return { kind: 'noop', durationMs: took() };
      } else {
        // An unchanged desired text passed the parser when it was applied.
        const repaired = await reloadTo(desired, 'drift', started, desired === previous.desired);
        return repaired.kind === 'applied' ? { ...repaired, drift: redactSecrets(drift) } : repaired;
      }
    }

    const plan = planChangeWith(previous.desired, desired, options.planned);
    if (plan.kind === 'noop') {
      state = { ...previous, desired };
      return { kind: 'noop', durationMs: took() };
    }
    if (plan.kind === 'full') return reloadTo(desired, plan.reason, started, false);

    const channel = channelFor(plan);
    if (channel !== undefined) return applyThroughChannel(channel, previous, desired, plan, started);
    return applyIncremental(previous, desired, plan, started, undefined);
  };

  /** The channel a plan goes through, if any: network churn, and no read-back (that needs vtysh). */
  const channelFor = (plan: IncrementalPlan): VtyChannel | undefined =>
    options.readBackAfterIncremental !== true &&
    plan.edits.length <= CHANNEL_MAX_EDITS &&
    isNetworkChurn(plan.edits)
      ? options.bgpdChannel
      : undefined;

  /** After an incremental apply: remember the predicted running config and rewrite frr.conf. */
  const commitIncremental = async (
    previous: AppliedState,
    desired: string,
    plan: IncrementalPlan,
  ): Promise<AppliedState> => {
    state = {
      desired,
      runningTree: applyEdits(previous.runningTree, plan.edits),
      unmanaged: previous.unmanaged,
    };
    await writeConfigFile(configFile, reloadFileText(desired, previous.unmanaged));
    return state;
  };

  /**
   * Network lines over bgpd's vty socket. No `vtysh -C` first: the lines come from ferry's renderer
   * (prefixes and names parsed strictly) and bgpd's parser checks each one as it runs it, stopping at
   * the first it refuses. Any failure → back to the last good config with frr-reload.py if a network
   * line may have been applied, then the vtysh path decides (its parser check reports a bad line as
   * `invalid`, exactly as without the channel).
   */
  const applyThroughChannel = async (
    channel: VtyChannel,
    previous: AppliedState,
    desired: string,
    plan: IncrementalPlan,
    started: number,
  ): Promise<ApplyResult> => {
    const took = () => performance.now() - started;
    const result = await channel.run(plan.commands);
    if (result.ok) {
      await commitIncremental(previous, desired, plan);
      return {
        kind: 'applied',
        method: 'channel',
        reason: 'incremental',
        commandCount: plan.commands.length,
        durationMs: took(),
      };
    }
    const { error } = result;
    const unsure = error.kind === 'timeout' || error.kind === 'disconnected';
    const touched =
      error.completed.some((reply) => changesConfig(reply.command)) ||
      (unsure && changesConfig(error.command));
    const fallback = `vty channel: ${redactSecrets(error.message)}`;
    if (!touched) return applyIncremental(previous, desired, plan, started, fallback);
    const rolledBack = await rollBack();
    const restored = state;
    if (!rolledBack || restored === undefined) {
      return {
        kind: 'failed',
        method: 'channel',
        error: channelApplyError(error),
        rolledBack: false,
        durationMs: took(),
      };
    }
    return applyIncremental(restored, desired, plan, started, fallback);
  };

  /** The plan's commands in one vtysh call, after FRR's parser checked the delta. */
  const applyIncremental = async (
    previous: AppliedState,
    desired: string,
    plan: IncrementalPlan,
    started: number,
    fallbackFrom: string | undefined,
  ): Promise<ApplyResult> => {
    const took = () => performance.now() - started;
    const delta = deltaConfigText(plan.edits);
    const check = await checkDelta(delta);
    if (!check.ok) {
      const lineText = check.error.line === undefined ? undefined : delta.split('\n')[check.error.line - 1];
      const line = lineText === undefined ? undefined : desiredLineNumber(desired, lineText);
      return { kind: 'invalid', error: applyError(check.error, lineText, line), durationMs: took() };
    }
    const readBack = options.readBackAfterIncremental === true;
    // Thousands of network lines (a burst of Services, a pool appearing): one `vtysh -f` of the
    // delta instead of one `-c` (or one channel round trip) per line.
    const result =
      !readBack && plan.edits.length > CHANNEL_MAX_EDITS && isNetworkChurn(plan.edits)
        ? await vtysh.applyFile(delta)
        : await vtysh.commands(readBack ? [...plan.commands, 'show running-config'] : plan.commands);
    if (!result.ok) {
      const rolledBack = await rollBack();
      return {
        kind: 'failed',
        method: 'incremental',
        error: applyError(result.error),
        rolledBack,
        durationMs: took(),
      };
    }
    const next = await commitIncremental(previous, desired, plan);
    if (readBack) {
      // Same vtysh process: nothing can slip in between the change and the print.
      const printed = typeof result.value === 'string' ? result.value : '';
      const banner = printed.indexOf(RUNNING_CONFIG_BANNER);
      if (!sameAsRemembered(next, banner >= 0 ? printed.slice(banner) : printed)) {
        // FRR did not hold what ferry last applied (drift before this change): frr-reload.py repairs all.
        return reloadTo(desired, 'drift', started, true);
      }
    }
    return {
      kind: 'applied',
      method: 'incremental',
      reason: fallbackFrom === undefined ? 'incremental' : `incremental (${fallbackFrom})`,
      commandCount: plan.commands.length,
      durationMs: took(),
    };
  };

  const clearStaleNow = async (stale: readonly StaleAdvertisement[]): Promise<ClearStaleResult> => {
    const applied = state;
    if (applied === undefined) return { kind: 'skipped' };
    const routers = [...desiredRouters(applied.desired).values()];
    const originated = (entry: StaleAdvertisement) => {
      const family = parseAddressFamilyLine(entry.family)?.family;
      const router = routers.find((r) => r.router === entry.router);
      return family !== undefined && router?.networks.get(family)?.has(entry.prefix) === true;
    };
    const todo = stale.filter(
      (entry) => !originated(entry) && parseRouterBgpLine(entry.router) !== undefined,
    );
    if (todo.length === 0) return { kind: 'skipped' };
    const commands: string[] = ['configure terminal'];
    for (const entry of todo)
      commands.push(
        entry.router,
        entry.family,
        `network ${entry.prefix}`,
        `no network ${entry.prefix}`,
        'end',
        'configure terminal',
      );
    const result = await vtysh.commands(commands.slice(0, -1));
    const running = await readRunning();
    if (!running.ok || (await divergence(applied, running.text)) !== undefined) state = undefined;
    if (!result.ok) return { kind: 'failed', error: applyError(result.error) };
    return { kind: 'cleared', prefixes: todo.map((entry) => entry.prefix) };
  };

  return {
    apply(desired, options = {}) {
      return queue.run(() => applyNow(desired, options));
    },
    clearStaleAdvertisements(stale) {
      return queue.run(() => clearStaleNow(stale));
    },
    async precheck(desired) {
      const previous = state;
      if (previous === undefined || desired === previous.desired) return;
      const plan = planChangeWith(previous.desired, desired);
      if (plan.kind !== 'incremental') return;
      // The channel path runs no separate parser check (bgpd checks each line as it runs it).
      if (channelFor(plan) === undefined) await checkDelta(deltaConfigText(plan.edits));
    },
    lastApplied: () => state?.desired,
    forget() {
      state = undefined;
    },
  };
}
