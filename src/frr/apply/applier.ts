// Keeps a real FRR in sync with the config ferry renders (DESIGN §4). Shell: all FRR I/O goes
// through src/frr/vtysh.ts, the only file write is the frr.conf FRR boots from. Pipeline:
//   (b) same desired text and the running config unchanged since the last apply → nothing;
//   (a) FRR's parser checks the change first: a rejected config is never applied;
//   (c) a Service-churn change → one vtysh call; the running config FRR now holds is predicted from
//       the one it printed before plus the edits (optionally read back in the same call), and every
//       later drift check compares FRR's output with that prediction;
//   (d) anything else, a first apply and drift → frr-reload.py --reload;
//   (e) a failed apply (vtysh stops half way, frr-reload applies partially) → frr-reload.py back to the
//       last good config, then check the running config is the one remembered;
//   (f) success → remember (desired text, running config).
import { chmod, chown, rename, stat, writeFile } from 'node:fs/promises';
import type { FrrError, Vtysh } from '../vtysh.js';
import { deltaConfigText } from './config-edit.js';
import { applyEdits } from './config-edit.js';
import { canonicalConfig, parseConfigTree, type ConfigTree } from './config-tree.js';
import { planChange } from './plan.js';
import { redactSecrets } from './redact.js';
import { reloadFileText, unmanagedLines } from './reload-file.js';

export type ApplyMethod = 'incremental' | 'reload';

/** Why FRR refused a config; FRR's words, with secrets redacted. */
export interface ApplyError {
  readonly kind: FrrError['kind'] | 'drift';
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
      /** why this method: `incremental`, `start`, `drift`, or what made the plan need a reload */
      readonly reason: string;
      /** vtysh commands sent (incremental) */
      readonly commandCount: number;
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
}

export interface Applier {
  /** Brings FRR to the desired config; never throws for FRR-side failures. One apply at a time. */
  apply(desired: string): Promise<ApplyResult>;
  /**
   * Runs FRR's parser on the change `desired` would make, ahead of `apply` (e.g. while the sync loop
   * debounces); a later `apply` of the same change skips its own check. Never applies anything.
   */
  precheck(desired: string): Promise<void>;
  /** The last desired config FRR accepted, if any. */
  lastApplied(): string | undefined;
  /** Forgets the last apply: the next one goes through frr-reload.py (e.g. after an FRR restart). */
  forget(): void;
}

interface AppliedState {
  readonly desired: string;
  /** `show running-config` right after a reload, or that plus the incremental edits since */
  readonly runningTree: ConfigTree;
  /** the running config's lines ferry does not manage, kept in frr.conf */
  readonly unmanaged: readonly string[];
}

/** What FRR's parser said about a delta file, kept for the apply that follows a precheck. */
type DeltaCheck = { readonly ok: true } | { readonly ok: false; readonly error: FrrError };

const PRECHECK_CACHE_SIZE = 8;

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

export function createApplier(options: ApplierOptions): Applier {
  const { vtysh, configFile } = options;
  let state: AppliedState | undefined;
  let queue: Promise<unknown> = Promise.resolve();

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
    state = remember(desired, after.text, unmanaged);
    return { kind: 'applied', method: 'reload', reason, commandCount: 0, durationMs: took() };
  };

  const applyNow = async (desired: string): Promise<ApplyResult> => {
    const started = performance.now();
    const took = () => performance.now() - started;
    const previous = state;
    if (previous === undefined) return reloadTo(desired, 'start', started, false);

    if (desired === previous.desired) {
      const running = await readRunning();
      if (running.ok && sameAsRemembered(previous, running.text)) return { kind: 'noop', durationMs: took() };
      // The desired text passed the parser when it was applied.
      return reloadTo(desired, 'drift', started, true);
    }

    const plan = planChange(previous.desired, desired);
    if (plan.kind === 'noop') {
      state = { ...previous, desired };
      return { kind: 'noop', durationMs: took() };
    }
    if (plan.kind === 'full') return reloadTo(desired, plan.reason, started, false);

    const delta = deltaConfigText(plan.edits);
    const check = await checkDelta(delta);
    if (!check.ok) {
      const lineText = check.error.line === undefined ? undefined : delta.split('\n')[check.error.line - 1];
      const line = lineText === undefined ? undefined : desiredLineNumber(desired, lineText);
      return { kind: 'invalid', error: applyError(check.error, lineText, line), durationMs: took() };
    }
    const readBack = options.readBackAfterIncremental === true;
    const result = await vtysh.commands(readBack ? [...plan.commands, 'show running-config'] : plan.commands);
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
    const runningTree = applyEdits(previous.runningTree, plan.edits);
    state = { desired, runningTree, unmanaged: previous.unmanaged };
    if (readBack) {
      // Same vtysh process: nothing can slip in between the change and the print.
      const banner = result.value.indexOf(RUNNING_CONFIG_BANNER);
      if (!sameAsRemembered(state, banner >= 0 ? result.value.slice(banner) : result.value)) {
        // FRR did not hold what ferry last applied (drift before this change): frr-reload.py repairs all.
        return reloadTo(desired, 'drift', started, true);
      }
    }
    await writeConfigFile(configFile, reloadFileText(desired, previous.unmanaged));
    return {
      kind: 'applied',
      method: 'incremental',
      reason: 'incremental',
      commandCount: plan.commands.length,
      durationMs: took(),
    };
  };

  return {
    apply(desired) {
      const run = queue.then(() => applyNow(desired));
      queue = run.catch(() => undefined);
      return run;
    },
    async precheck(desired) {
      const previous = state;
      if (previous === undefined || desired === previous.desired) return;
      const plan = planChange(previous.desired, desired);
      if (plan.kind === 'incremental') await checkDelta(deltaConfigText(plan.edits));
    },
    lastApplied: () => state?.desired,
    forget() {
      state = undefined;
    },
  };
}
