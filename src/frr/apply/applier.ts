// Keeps a real FRR in sync with the config ferry renders (DESIGN §4). Shell: all FRR I/O goes
// through src/frr/vtysh.ts, the only file write is the frr.conf FRR boots from. Pipeline:
//   (b) same desired text and the running config unchanged since the last apply → nothing;
//   (a) FRR's parser checks the change first: a rejected config is never applied;
//   (c) a Service-churn change → one vtysh call that applies it and prints the running config, which
//       must equal the prediction (else something drifted: reload);
//   (d) anything else, a first apply and drift → frr-reload.py --reload;
//   (e) a failed apply (vtysh stops half way, frr-reload applies partially) → frr-reload.py back to the
//       last good config, then check the running config is the one remembered;
//   (f) success → remember (desired text, running config).
import { chmod, chown, rename, stat, writeFile } from 'node:fs/promises';
import type { FrrError, Vtysh } from '../vtysh.js';
import { deltaConfigText } from './config-edit.js';
import { canonicalConfig, parseConfigTree } from './config-tree.js';
import { expectedRunningConfig, planChange } from './plan.js';
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
}

export interface Applier {
  /** Brings FRR to the desired config; never throws for FRR-side failures. One apply at a time. */
  apply(desired: string): Promise<ApplyResult>;
  /** The last desired config FRR accepted, if any. */
  lastApplied(): string | undefined;
  /** Forgets the last apply: the next one goes through frr-reload.py (e.g. after an FRR restart). */
  forget(): void;
}

interface AppliedState {
  readonly desired: string;
  /** `show running-config` right after the apply */
  readonly running: string;
  readonly runningCanonical: string;
  /** the running config's lines ferry does not manage, kept in frr.conf */
  readonly unmanaged: readonly string[];
}

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

  const remember = (desired: string, running: string, unmanaged: readonly string[]): AppliedState => ({
    desired,
    running,
    runningCanonical: canonicalConfig(parseConfigTree(running)),
    unmanaged,
  });

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
    if (canonicalConfig(parseConfigTree(running.text)) !== good.runningCanonical) return false;
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
      if (running.ok && canonicalConfig(parseConfigTree(running.text)) === previous.runningCanonical) {
        return { kind: 'noop', durationMs: took() };
      }
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
    const check = await vtysh.dryRun(delta);
    if (!check.ok) {
      const lineText = check.error.line === undefined ? undefined : delta.split('\n')[check.error.line - 1];
      const line = lineText === undefined ? undefined : desiredLineNumber(desired, lineText);
      return { kind: 'invalid', error: applyError(check.error, lineText, line), durationMs: took() };
    }
    // Apply and read back in the same vtysh process: one call, and nothing can slip in between.
    const result = await vtysh.commands([...plan.commands, 'show running-config']);
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
    const banner = result.value.indexOf(RUNNING_CONFIG_BANNER);
    const running = banner >= 0 ? result.value.slice(banner) : result.value;
    const expected = expectedRunningConfig(previous.running, plan.edits);
    if (canonicalConfig(parseConfigTree(running)) !== expected) {
      // FRR did not hold what ferry last applied (drift before this change): frr-reload.py repairs all.
      return reloadTo(desired, 'drift', started, true);
    }
    state = remember(desired, running, previous.unmanaged);
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
    lastApplied: () => state?.desired,
    forget() {
      state = undefined;
    },
  };
}
