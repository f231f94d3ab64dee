// `ferry speaker`: the per-node speaker. With --manifests it runs without Kubernetes (inputs from a
// directory, watched); `--once` applies and exits. In a cluster it reads the API server.
import type { Command } from 'commander';
import type { Registry } from 'prom-client';
import type { Logger } from 'winston';
import { loadManifestDirectory } from '../api/load-directory.js';
import { formatManifestError } from '../api/manifest-error.js';
import { createApplier } from '../frr/apply/applier.js';
import { describeApplyOutcome } from '../frr/apply/apply-outcome.js';
import { createVtyChannel, vtySocketPath } from '../frr/vty-channel.js';
import { createSyncLoop, type SyncEvent } from '../frr/apply/sync-loop.js';
import { defaultFrrRenderer } from '../frr/templates.js';
import { createProcessLogger, type LogLevel } from '../log/logger.js';
import { serveMetrics } from '../metrics/http-server.js';
import { createProcessRegistry } from '../metrics/process-registry.js';
import { createReconciler, type ReconcilerOptions } from '../speaker/reconciler.js';
import { createKubeSpeaker } from '../speaker/kube-speaker.js';
import { createKubeClient } from '../k8s/http-client.js';
import { loadKubeConfig } from '../k8s/client.js';
import { createSpeaker, type StatusSink } from '../speaker/speaker.js';
import { L2Responder, type L2Counters } from '../l2/responder.js';
import type { ResponderPort } from '../speaker/layer2.js';
import { createBfdLiveness, type LivenessMonitor } from '../speaker/liveness.js';
import { watchManifestDirectory } from '../speaker/standalone.js';
import { SPEAKER_POD_SELECTOR } from '../speaker/cluster-inputs.js';
import { addFrrFlags, frrLocation, type FrrFlags } from './frr-flags.js';
import { addLbClassFlag, type LbClassFlag } from './lb-class-flag.js';

export interface SpeakerFlags extends FrrFlags, LbClassFlag {
  node: string;
  manifests?: string;
  namespace: string;
  once?: boolean;
  metricsListen: string;
  logLevel: LogLevel;
  frrLogLevel: string;
  ignoreExcludeLb?: boolean;
  debounceMs: string;
  maxWaitMs: string;
  kubeconfig?: string;
  withdrawOnShutdown?: boolean;
  layer2Netns?: string;
  layer2HandoverMs: string;
  speakerPodSelector: string;
}

/** Standalone mode has no Kubernetes objects to write: status lives in logs, metrics and `ferry status`. */
function loggingSink(logger: Logger): StatusSink {
  return {
    configuration: async (status) =>
      void logger.info('configuration status', {
        result: status.result,
        errorSummary: status.errorSummary,
        lastApply: status.lastApply === undefined ? 'none yet' : describeApplyOutcome(status.lastApply),
      }),
    sessions: async (sessions) =>
      void logger.info('sessions', {
        sessions: sessions.map((s) => `${s.peerName} ${s.bgpStatus} bfd=${s.bfdStatus}`),
      }),
    services: async (services) =>
      void logger.info('services announced', {
        services: services.map((s) => `${s.namespace}/${s.name} → ${s.peers.join(',')}`),
      }),
    service: async (key, status) =>
      void (status === undefined
        ? logger.info('service no longer announced', { service: key })
        : logger.info('service announced', { service: key, peers: status.peers })),
    l2Services: async (services) =>
      void logger.info('layer2 services owned', {
        services: services.map((s) => `${s.namespace}/${s.name} on ${s.interfaces.join(',')}`),
      }),
  };
}

/**
 * Layer 2: liveness from BFD sessions between the nodes (read from bfdd's vty socket), and with
 * `--layer2-netns NAME|PATH` a responder answering in that network namespace.
 */
function layer2Options(
  flags: SpeakerFlags,
  logger: Logger,
): {
  createL2Responder?: (counters: L2Counters) => ResponderPort;
  createLiveness: (onChange: () => void) => LivenessMonitor;
  handOverTimeoutMs: number;
} {
  const given = flags.layer2Netns;
  const netns = given === undefined ? undefined : given.includes('/') ? given : `/var/run/netns/${given}`;
  const runDirectory = frrLocation(flags).runDirectory;
  return {
    handOverTimeoutMs: Number(flags.layer2HandoverMs),
    createLiveness: (onChange) =>
      createBfdLiveness({
        channel: createVtyChannel({ socketPath: vtySocketPath(runDirectory, 'bfdd') }),
        logger,
        onChange,
        self: flags.node,
      }),
    ...(netns === undefined
      ? {}
      : {
          createL2Responder: (counters: L2Counters) =>
            new L2Responder({ logger: logger.child({ component: 'layer2' }), counters, netns }),
        }),
  };
}

function reconcilerOptions(flags: SpeakerFlags): ReconcilerOptions {
  return {
    nodeName: flags.node,
    namespace: flags.namespace,
    render: defaultFrrRenderer(),
    announceOptions: { ignoreExcludeLB: flags.ignoreExcludeLb === true, lbClass: flags.lbClass },
    logLevel: flags.frrLogLevel,
  };
}

/** `--once`: one apply, a one-line summary, exit status 0 only when FRR runs the desired config. */
async function applyOnce(flags: SpeakerFlags & { manifests: string }, logger: Logger): Promise<number> {
  const loaded = loadManifestDirectory(flags.manifests);
  const reconciler = createReconciler(reconcilerOptions(flags));
  const outcome = reconciler.reconcile(loaded.resources, loaded.errors.map(formatManifestError));
  if (outcome.configuration.result !== 'Valid' || outcome.desiredConfig === undefined) {
    process.stderr.write(
      `ferry speaker: configuration invalid, FRR left untouched: ${outcome.configuration.errorSummary}\n`,
    );
    return 1;
  }
  const frr = frrLocation(flags);
  const applier = createApplier({ vtysh: frr.vtysh, configFile: frr.configFile });
  const result = await applier.apply(outcome.desiredConfig);
  const prefixes = new Set(outcome.announce?.advertisements.map((a) => a.prefix)).size;
  const summary = `node ${flags.node}: ${outcome.peers.length} peers, ${prefixes} prefixes`;
  switch (result.kind) {
    case 'noop':
      process.stdout.write(`FRR already runs the desired config (${summary})\n`);
      return 0;
    case 'applied':
      process.stdout.write(
        `applied with ${result.method} in ${Math.round(result.durationMs)} ms (${summary})\n`,
      );
      return 0;
    case 'invalid':
    case 'failed':
      logger.error('FRR refused the config', { error: result.error.message, line: result.error.lineText });
      process.stderr.write(
        `ferry speaker: FRR refused the config: ${result.error.message}${result.error.lineText === undefined ? '' : ` (line: ${result.error.lineText})`}\n`,
      );
      return 1;
  }
}

function createFrrSync(flags: SpeakerFlags, logger: Logger, registry: Registry) {
  const frr = frrLocation(flags);
  let forward: (event: SyncEvent) => void = () => undefined;
  const applier = createApplier({
    vtysh: frr.vtysh,
    configFile: frr.configFile,
    // Service churn (network lines) goes over a persistent connection to bgpd: no process per change
    bgpdChannel: createVtyChannel({ socketPath: vtySocketPath(frr.runDirectory, 'bgpd') }),
  });
  const syncLoop = createSyncLoop({
    applier,
    logger,
    registry,
    debounceMs: Number(flags.debounceMs),
    maxWaitMs: Number(flags.maxWaitMs),
    watchDirectory: frr.runDirectory,
    onEvent: (event) => forward(event),
  });
  return {
    frr,
    syncLoop,
    clearStaleAdvertisements: applier.clearStaleAdvertisements.bind(applier),
    onSyncEvent: (handler: (event: SyncEvent) => void) => void (forward = handler),
  };
}

function untilSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
}

async function runStandalone(flags: SpeakerFlags & { manifests: string }, logger: Logger): Promise<void> {
  const registry = createProcessRegistry();
  const { frr, syncLoop, clearStaleAdvertisements, onSyncEvent } = createFrrSync(flags, logger, registry);
  const speaker = createSpeaker({
    ...reconcilerOptions(flags),
    vtysh: frr.vtysh,
    syncLoop,
    clearStaleAdvertisements,
    registry,
    logger,
    sink: loggingSink(logger),
    ...layer2Options(flags, logger),
  });
  onSyncEvent((event) => speaker.syncEvent(event));
  const source = watchManifestDirectory(flags.manifests, speaker, logger, { watch: true });
  const endpoint = await serveMetrics(
    flags.metricsListen,
    registry,
    async () => (await frr.vtysh.runningConfig()).ok,
  );
  await speaker.start();
  source.load();
  logger.info('speaker started', {
    node: flags.node,
    manifests: flags.manifests,
    lbClass: flags.lbClass,
    metrics: endpoint.address,
  });
  await untilSignal();
  // Layer 2 IPs go to the next owners first; then stop without withdrawing: FRR keeps announcing
  // what it runs (graceful restart keeps the routes). The hand-over reconciles from the last whole
  // view the speaker was given, and changed Services went to it one by one: give it the whole first.
  await source.close();
  source.resync();
  await speaker.handOver();
  await speaker.stop();
  await endpoint.close();
  logger.info('speaker stopped', { node: flags.node });
}

async function runInCluster(flags: SpeakerFlags, logger: Logger): Promise<number> {
  const kubeconfig = loadKubeConfig(
    flags.kubeconfig === undefined ? {} : { kubeconfigPath: flags.kubeconfig },
  );
  if (!kubeconfig.ok) {
    process.stderr.write(`ferry speaker: ${kubeconfig.error}\n`);
    return 2;
  }
  const registry = createProcessRegistry();
  const { frr, syncLoop, clearStaleAdvertisements, onSyncEvent } = createFrrSync(flags, logger, registry);
  const podName = process.env['POD_NAME'];
  const podUid = process.env['POD_UID'];
  const speaker = createKubeSpeaker({
    ...reconcilerOptions(flags),
    client: createKubeClient(kubeconfig.value.access, { userAgent: `ferry-speaker/${flags.node}` }),
    vtysh: frr.vtysh,
    syncLoop,
    clearStaleAdvertisements,
    registry,
    logger,
    ...(podName && podUid ? { pod: { name: podName, uid: podUid } } : {}),
    speakerPodSelector: flags.speakerPodSelector,
    ...layer2Options(flags, logger),
  });
  onSyncEvent((event) => speaker.syncEvent(event));
  const endpoint = await serveMetrics(flags.metricsListen, registry, () => speaker.ready());
  logger.info('speaker starting', {
    node: flags.node,
    lbClass: flags.lbClass,
    kubeconfig: kubeconfig.value.origin,
    metrics: endpoint.address,
  });
  const stopped = untilSignal();
  await Promise.race([speaker.start(), stopped]);
  await stopped;
  await speaker.stop({ withdraw: flags.withdrawOnShutdown === true });
  await endpoint.close();
  logger.info('speaker stopped', { node: flags.node });
  return 0;
}

export function addSpeakerCommand(program: Command): void {
  addLbClassFlag(addFrrFlags(program.command('speaker')))
    .description(
      "keep this node's FRR in sync with the cluster (or with --manifests) and report what FRR does",
    )
    .requiredOption(
      '--node <name>',
      'the node this speaker runs on (NODE_NAME in a DaemonSet)',
      process.env['NODE_NAME'],
    )
    .option('--manifests <dir>', 'run without Kubernetes: read inputs from this directory and watch it')
    .option('--namespace <ns>', "ferry's namespace", 'metallb-system')
    .option('--once', 'with --manifests: apply once, print a summary, exit (non-zero when FRR refused it)')
    .option('--kubeconfig <file>', 'kubeconfig (default: KUBECONFIG, else the pod service account)')
    .option(
      '--withdraw-on-shutdown',
      'on SIGTERM withdraw every announcement before stopping (planned node drains)',
    )
    .option('--metrics-listen <host:port>', 'address for /metrics, /healthz and /readyz', '127.0.0.1:7473')
    .option('--log-level <level>', 'error, warn, info or debug', 'info')
    .option('--frr-log-level <level>', 'FRR `log stdout` level', 'informational')
    .option(
      '--ignore-exclude-lb',
      'announce from nodes labeled node.kubernetes.io/exclude-from-external-load-balancers',
    )
    .option(
      '--layer2-netns <name>',
      'answer ARP/NDP in this network namespace (name under /var/run/netns, or a path) instead of the own one',
    )
    .option(
      '--layer2-handover-ms <ms>',
      "on SIGTERM, longest wait for the next owners to take this node's layer 2 IPs over",
      '5000',
    )
    .option(
      '--speaker-pod-selector <labels>',
      "label selector of the speaker DaemonSet's pods in --namespace (layer 2: a node without a Ready one is no owner)",
      SPEAKER_POD_SELECTOR,
    )
    .option('--debounce-ms <ms>', 'quiet time before applying a change', '50')
    .option('--max-wait-ms <ms>', 'longest a change waits while changes keep coming', '500')
    .action(async (flags: SpeakerFlags) => {
      const logger = createProcessLogger('speaker', flags.logLevel, { node: flags.node });
      if (flags.manifests === undefined) {
        process.exitCode = await runInCluster(flags, logger);
        return;
      }
      const withManifests = { ...flags, manifests: flags.manifests };
      if (flags.once === true) process.exitCode = await applyOnce(withManifests, logger);
      else await runStandalone(withManifests, logger);
    });
}
