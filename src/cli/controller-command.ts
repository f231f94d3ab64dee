// `ferry controller`: IP address management for LoadBalancer Services (MetalLB's controller), one
// active replica elected through a Lease. SIGTERM/SIGINT stop it cleanly: writes in flight finish
// and the Lease is released so a standby takes over at once.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { ferryCrdValidator } from '../api/load-directory.js';
import { DEFAULT_LEASE_NAME, startElectedController } from '../controller/elected-controller.js';
import { loadKubeConfig } from '../k8s/client.js';
import { createKubeClient } from '../k8s/http-client.js';
import { createProcessLogger, type LogLevel } from '../log/logger.js';
import { serveMetrics } from '../metrics/http-server.js';
import { createProcessRegistry } from '../metrics/process-registry.js';
import { addLbClassFlag, type LbClassFlag } from './lb-class-flag.js';

export interface ControllerFlags extends LbClassFlag {
  kubeconfig?: string;
  namespace: string;
  metricsListen: string;
  logLevel: LogLevel;
  leaderElect: boolean;
  leaseName: string;
  leaseIdentity: string;
}

// commander hands the preset (`--leader-elect` alone, as deploy/controller.yaml passes it) to the
// parser as the boolean itself.
function parseBoolean(value: string | boolean): boolean {
  if (value === true || value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new InvalidArgumentError('expected true or false');
}

async function runController(flags: ControllerFlags): Promise<number> {
  const logger = createProcessLogger('controller', flags.logLevel);
  const kubeConfig = loadKubeConfig(
    flags.kubeconfig !== undefined ? { kubeconfigPath: flags.kubeconfig } : {},
  );
  if (!kubeConfig.ok) {
    process.stderr.write(`ferry controller: ${kubeConfig.error}\n`);
    return 2;
  }
  const registry = createProcessRegistry();
  const client = createKubeClient(kubeConfig.value.access, { userAgent: 'ferry-controller' });
  const elected = startElectedController(
    {
      client,
      namespace: flags.namespace,
      lbClass: flags.lbClass,
      logger,
      registry,
      validator: ferryCrdValidator(),
    },
    flags.leaderElect ? { identity: flags.leaseIdentity, leaseName: flags.leaseName } : undefined,
  );
  const endpoint = await serveMetrics(flags.metricsListen, registry, () => elected.ready);
  logger.info('controller started', {
    namespace: flags.namespace,
    lbClass: flags.lbClass,
    leaderElect: flags.leaderElect,
    identity: flags.leaseIdentity,
    kubeconfig: kubeConfig.value.origin,
    metrics: endpoint.address,
  });
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  logger.info('controller stopping');
  await elected.stop();
  await endpoint.close();
  logger.info('controller stopped');
  return 0;
}

export function addControllerCommand(program: Command): void {
  addLbClassFlag(program.command('controller'))
    .description('assign IPs from IPAddressPools to LoadBalancer Services (MetalLB controller)')
    .option('--kubeconfig <file>', 'kubeconfig to use (default: KUBECONFIG, else the pod service account)')
    .option(
      '--namespace <ns>',
      "ferry's namespace (IPAddressPools, Communities, the Lease)",
      'metallb-system',
    )
    .option('--metrics-listen <host:port>', 'address for /metrics, /healthz and /readyz', '0.0.0.0:7472')
    .option('--log-level <level>', 'error, warn, info or debug', 'info')
    .addOption(
      new Option('--leader-elect [bool]', 'elect one active replica through a Lease')
        .argParser(parseBoolean)
        .default(true)
        .preset(true),
    )
    .option('--lease-name <name>', 'the Lease replicas compete for', DEFAULT_LEASE_NAME)
    .option(
      '--lease-identity <id>',
      "this replica's identity in the Lease (default: POD_NAME, else hostname and a random suffix)",
      process.env['POD_NAME'] ?? `${hostname()}_${randomBytes(4).toString('hex')}`,
    )
    .action(async (flags: ControllerFlags) => {
      process.exitCode = await runController(flags);
    });
}
