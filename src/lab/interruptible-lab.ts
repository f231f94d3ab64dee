// A lab owned by one process (`ferry lab`, the lab benchmarks) that is removed whatever signals
// arrive. `timeout` and a terminal's Ctrl-C signal the whole process group, so the process often gets
// a signal twice at once, and users press Ctrl-C again while they wait. The first SIGINT, SIGTERM or
// SIGHUP abandons the work and removes the lab; the second only says to wait; the third exits at
// once, naming what is left and how to remove it.
import { constants } from 'node:os';
import type { ClusterLab } from './cluster-lab.js';
import { labRunLeftoversSync, type LabLeftovers } from './lab-run.js';

const HANDLED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface InterruptibleLabOptions<T> {
  readonly create: () => Promise<ClusterLab>;
  /** the work; abandoned on the first signal (`stopped` resolves then) */
  readonly body: (lab: ClusterLab, stopped: Promise<void>) => Promise<T>;
  /** runs before the lab is removed, also after a signal (e.g. stop monitors) */
  readonly beforeRemove?: () => void;
  /** progress lines (stdout) */
  readonly print: (line: string) => void;
  /** problems and the signal messages (stderr) */
  readonly warn: (line: string) => void;
}

export interface LabOutcome<T> {
  /** the body's result; undefined when a signal cut the run short */
  readonly result: T | undefined;
  /** the first signal, if one arrived */
  readonly signal: NodeJS.Signals | undefined;
}

/** The shell's convention: 128 + the signal's number (130 for SIGINT). */
export function exitCodeForSignal(signal: NodeJS.Signals): number {
  return 128 + constants.signals[signal];
}

export function describeLeftovers(left: LabLeftovers): string {
  const parts = [
    ...(left.namespaces.length === 0 ? [] : [`namespaces ${left.namespaces.join(', ')}`]),
    ...(left.frrInstances.length === 0 ? [] : [`FRR instances ${left.frrInstances.join(', ')}`]),
  ];
  return parts.length === 0 ? 'nothing' : parts.join('; ');
}

/**
 * Creates the lab, runs `body`, removes the lab: at the end, when `body` or the creation throws
 * (rethrown after the removal), and on signals (the outcome names the first one; errors of the
 * abandoned work are then dropped). A signal during creation lets the creation finish, then removes
 * what it built.
 */
export async function runInterruptibleLab<T>(options: InterruptibleLabOptions<T>): Promise<LabOutcome<T>> {
  const { print, warn } = options;
  let lab: ClusterLab | undefined;
  let signal: NodeJS.Signals | undefined;
  let count = 0;
  let signalled: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    signalled = resolve;
  });
  const onSignal = (received: NodeJS.Signals) => {
    count += 1;
    if (count === 1) {
      signal = received;
      warn(`\n${received}: stopping`);
      signalled();
    } else if (count === 2) {
      warn(`${received}: removing the lab, please wait (once more to exit at once, leaving it behind)`);
    } else {
      // last words only: synchronous kills and writes, then exit
      lab?.killProcesses();
      warn(
        `${received}: exiting without removing the lab; left: ${describeLeftovers(labRunLeftoversSync())}`,
      );
      warn('`ferry lab down` removes it');
      process.exit(exitCodeForSignal(signal ?? received));
    }
  };
  for (const name of HANDLED) process.on(name, onSignal);

  const creating = options.create();
  let failure: { readonly error: unknown } | undefined;
  let result: T | undefined;
  try {
    lab = await Promise.race([creating, stopped.then(() => undefined)]);
    if (lab !== undefined && signal === undefined) {
      const running = options.body(lab, stopped);
      // abandoned after a signal, the body fails as the lab goes away: not an unhandled rejection
      running.catch(() => undefined);
      result = await Promise.race([running, stopped.then(() => undefined)]);
    }
  } catch (error) {
    if (signal === undefined) failure = { error };
  } finally {
    options.beforeRemove?.();
    print('\nremoving the lab (namespaces, FRR instances, processes)');
    // a signal during creation: let it finish (it removes what it built when it fails), then remove it
    lab ??= await creating.catch(() => undefined);
    const problems = (await lab?.destroy()) ?? [];
    for (const problem of problems) warn(`cleanup: ${problem}`);
    for (const name of HANDLED) process.off(name, onSignal);
  }
  if (failure !== undefined) throw failure.error;
  return { result: signal === undefined ? result : undefined, signal };
}
