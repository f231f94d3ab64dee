// One active allocator among the controller replicas: a coordination.k8s.io Lease (default
// `ferry-controller`) elects the replica that runs a Controller; the others wait. Each term of
// leadership starts a fresh Controller, which re-asserts every shown address before allocating, so
// a takeover never moves or duplicates an IP. Without leader election the Controller runs at once.
import type { Logger } from 'winston';
import { LeaderElector } from '../k8s/lease.js';
import { Controller, type ControllerOptions } from './controller.js';

export const DEFAULT_LEASE_NAME = 'ferry-controller';

export interface ElectionOptions {
  /** this replica's identity in the Lease (the pod name) */
  readonly identity: string;
  readonly leaseName?: string;
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
}

export interface ElectedController {
  /** leading (or running without election) with caches synced and the first pass done; or a healthy standby */
  readonly ready: boolean;
  readonly isLeader: boolean;
  /** the Controller of the current term, if leading */
  readonly controller: Controller | undefined;
  /** stops the Controller (letting writes in flight finish) and releases the Lease */
  stop(): Promise<void>;
}

export function startElectedController(
  options: ControllerOptions,
  election: ElectionOptions | undefined,
): ElectedController {
  const logger: Logger = options.logger;
  let current: Controller | undefined;
  let stopping: Promise<void> = Promise.resolve();

  const lead = (): void => {
    const controller = new Controller(options);
    current = controller;
    void stopping.then(async () => {
      if (current !== controller) return;
      const started = await controller.start();
      if (started) logger.info('controller active', { identity: election?.identity ?? null });
    });
  };
  const standDown = (): void => {
    const controller = current;
    current = undefined;
    if (controller !== undefined) stopping = controller.stop(0);
  };

  /** Stops the current term's Controller, letting its writes in flight finish. */
  const stopCurrent = async (): Promise<void> => {
    const controller = current;
    current = undefined;
    await controller?.stop();
  };

  if (election === undefined) {
    lead();
    return {
      get ready() {
        return current?.ready ?? false;
      },
      isLeader: true,
      get controller() {
        return current;
      },
      stop: stopCurrent,
    };
  }

  const elector = new LeaderElector({
    client: options.client,
    namespace: options.namespace,
    name: election.leaseName ?? DEFAULT_LEASE_NAME,
    identity: election.identity,
    ...(election.leaseDurationMs !== undefined ? { leaseDurationMs: election.leaseDurationMs } : {}),
    ...(election.renewDeadlineMs !== undefined ? { renewDeadlineMs: election.renewDeadlineMs } : {}),
    ...(election.retryPeriodMs !== undefined ? { retryPeriodMs: election.retryPeriodMs } : {}),
    onStartedLeading: lead,
    onStoppedLeading: standDown,
    onNewLeader: (identity) => logger.info('controller leader', { leader: identity }),
    logger,
  }).start();

  return {
    get ready() {
      return elector.isLeader ? (current?.ready ?? false) : true;
    },
    get isLeader() {
      return elector.isLeader;
    },
    get controller() {
      return current;
    },
    async stop() {
      // Finish the term's writes before giving the Lease to another replica.
      await stopCurrent();
      await elector.stop();
      await stopping;
    },
  };
}
