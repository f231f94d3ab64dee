// Many seeds of the chaos run (e2e/chaos/chaos-run.ts, issue 18): per seed a fresh lab, ~200 Services,
// random Service churn, endpoint flips, speaker kills and freezes, FRR restarts with an empty
// frr.conf and API server faults, then quiet and the invariant (ToR routes == the /32s of Services
// with a ready endpoint; ServiceBGPStatus and BGPSessionState true). Prints per seed and at the end:
// seeds run, faults injected by kind, convergence time after quiet (p50/max), failing seeds with
// the log file kept for each.
//
// Run (root): npm run bench:chaos -- [--seeds N] [--first-seed S | --seed S] [--chaos-ms MS]
//   [--services N] [--converge-timeout-ms MS] [--keep-logs] [--continuous]. Exit status 1 when any
//   seed failed. `--continuous`: one lab for all seeds, each window starting where the last one
//   converged (no lab build and first BGP convergence per seed: ~3x the seeds per hour); a failing
//   seed then reproduces with the same --first-seed and --seeds up to it, or alone without it.
import {
  ChaosLab,
  FAULT_KINDS,
  runChaos,
  type ChaosOptions,
  type ChaosReport,
  type FaultKind,
} from '../e2e/chaos/chaos-run.js';

const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

function parseArgs(argv: readonly string[]) {
  const options = {
    seeds: 10,
    firstSeed: 1,
    chaosMs: 30_000,
    services: 200,
    convergeTimeoutMs: 60_000,
    keepLogs: false,
    continuous: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--keep-logs' || arg === '--continuous') {
      options[arg === '--keep-logs' ? 'keepLogs' : 'continuous'] = true;
      continue;
    }
    const value = Number(argv[++i]);
    if (!Number.isInteger(value) || value < 0) throw new Error(`${arg} needs a whole number`);
    if (arg === '--seeds') options.seeds = value;
    else if (arg === '--first-seed') options.firstSeed = value;
    else if (arg === '--seed') Object.assign(options, { firstSeed: value, seeds: 1 });
    else if (arg === '--chaos-ms') options.chaosMs = value;
    else if (arg === '--services') options.services = value;
    else if (arg === '--converge-timeout-ms') options.convergeTimeoutMs = value;
    else throw new Error(`unknown argument ${arg}`);
  }
  return options;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<number> {
  if (process.getuid?.() !== 0) throw new Error('the chaos bench needs root (network namespaces, FRR)');
  const options = parseArgs(process.argv.slice(2));
  let interrupted = false;
  // `on`, not `once`: execa's exit hook re-sends a signal nobody else listens to, killing the run
  // before it prints its summary
  const stop = () => {
    interrupted = true;
    print('interrupted: stopping after this seed');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const reports: ChaosReport[] = [];
  const started = performance.now();
  let shared: ChaosLab | undefined;
  if (options.continuous) {
    const created = await ChaosLab.create(options.firstSeed, options.services);
    shared = created.chaos;
    print(
      `one lab for every seed: ${options.services} Services converged in ${Math.round(created.convergedMs)} ms`,
    );
  }
  for (let seed = options.firstSeed; seed < options.firstSeed + options.seeds && !interrupted; seed++) {
    const windowOptions: ChaosOptions = {
      seed,
      chaosMs: options.chaosMs,
      services: options.services,
      convergeTimeoutMs: options.convergeTimeoutMs,
      keepLog: options.keepLogs,
      log: print,
    };
    const report = await (shared === undefined ? runChaos(windowOptions) : shared.window(windowOptions));
    reports.push(report);
    const heavy = FAULT_KINDS.map((kind) => `${kind} ${report.faults[kind]}`).join(', ');
    print(
      report.failure === undefined
        ? `seed ${seed}: converged ${Math.round(report.convergedMs ?? 0)} ms after quiet, ToR routes ${Math.round(report.routesConvergedMs ?? 0)} ms (${heavy})${report.logFile === undefined ? '' : ` (log: ${report.logFile})`}`
        : `seed ${seed}: FAILED ${report.failure} (log: ${report.logFile ?? '-'})`,
    );
  }
  for (const problem of (await shared?.destroy()) ?? []) print(`cleanup: ${problem}`);
  const totals = Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>;
  for (const report of reports) for (const kind of FAULT_KINDS) totals[kind] += report.faults[kind];
  const converged = reports
    .flatMap((r) => (r.convergedMs === undefined ? [] : [r.convergedMs]))
    .sort((a, b) => a - b);
  const failed = reports.filter((r) => r.failure !== undefined);
  print('');
  print(
    `seeds run: ${reports.length} (${options.firstSeed}..${options.firstSeed + reports.length - 1}), chaos ${options.chaosMs} ms each, ${options.services} Services at start, ${options.continuous ? 'one lab for all' : 'a lab per seed'}, ${Math.round((performance.now() - started) / 1000)} s in all`,
  );
  print(`faults injected: ${FAULT_KINDS.map((kind) => `${kind} ${totals[kind]}`).join(', ')}`);
  print(`actions in all: ${Object.values(totals).reduce((a, b) => a + b, 0)}`);
  const routesConverged = reports
    .flatMap((r) => (r.routesConvergedMs === undefined ? [] : [r.routesConvergedMs]))
    .sort((a, b) => a - b);
  const spread = (sorted: readonly number[]) =>
    `p50 ${Math.round(percentile(sorted, 50))} ms, p90 ${Math.round(percentile(sorted, 90))} ms, max ${Math.round(sorted[sorted.length - 1] ?? 0)} ms`;
  if (converged.length > 0) print(`convergence after quiet: ${spread(converged)}`);
  if (routesConverged.length > 0) print(`ToR routes right after quiet: ${spread(routesConverged)}`);
  const repaired = (key: 'drift' | 'staleAdvertisements') => {
    const seeds = reports.filter((r) => r.repairs[key] > 0);
    const total = seeds.reduce((sum, r) => sum + r.repairs[key], 0);
    return `${total} in ${seeds.length} seeds${seeds.length > 0 && seeds.length <= 10 ? ` (${seeds.map((r) => r.seed).join(', ')})` : ''}`;
  };
  print(
    `repairs in the speakers' logs: running config put back ${repaired('drift')}; stale advertisements withdrawn ${repaired('staleAdvertisements')}`,
  );
  print(
    `failures: ${failed.length}${failed.map((r) => `\n  seed ${r.seed}: ${r.failure ?? ''} (log: ${r.logFile ?? '-'})`).join('')}`,
  );
  return failed.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench/chaos: ${String(error)}\n`);
    process.exit(2);
  },
);
