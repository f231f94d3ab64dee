// Writes one component's ConfigurationState through a StatusWriter. Each write is built from the
// status last asked for (or, before the first, the one found on start), so every condition keeps
// its transition time until its own status changes, also across restarts, and a steady state
// sends nothing.
import type { Logger } from 'winston';
import type { KubeClient } from './client.js';
import { getObject } from './client.js';
import {
  configurationStateLabels,
  configurationStateName,
  configurationStateObject,
  type ConditionInput,
  type ConfigurationComponent,
  type ConfigurationVerdict,
} from './configuration-state.js';
import { ok, type KubeResult } from './errors.js';
import type { OwnerReference } from './kube-object.js';
import { jsonEqual } from './merge-patch.js';
import { inNamespace, resourceTypes } from './resources.js';
import { StatusWriter, type JsonObject, type WriteOutcome } from './status-writer.js';

export interface ConfigurationStateWriterOptions {
  readonly client: KubeClient;
  /** ferry's namespace */
  readonly namespace: string;
  readonly component: ConfigurationComponent;
  /** set on the object when created (the speaker pod) */
  readonly owner?: OwnerReference;
  readonly logger?: Logger;
  /** for condition transition times */
  readonly now?: () => Date;
}

export class ConfigurationStateWriter {
  readonly name: string;
  private readonly writer: StatusWriter;
  private readonly now: () => Date;
  /** the status of the last write asked for; undefined after a failure (then: what is known) */
  private requested: JsonObject | undefined;

  constructor(private readonly options: ConfigurationStateWriterOptions) {
    this.name = configurationStateName(options.component);
    this.now = options.now ?? (() => new Date());
    this.writer = new StatusWriter({
      client: options.client,
      resource: inNamespace(resourceTypes.configurationStates, options.namespace),
      selector: configurationStateLabels(options.component),
      keyOf: (object) => (object.metadata.name === this.name ? this.name : undefined),
      ...(options.owner === undefined ? {} : { owner: options.owner }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
  }

  /**
   * Finds the object of a previous run (by its labels, else by name: it is adopted and labelled on
   * the first write), so its transition times carry over.
   */
  async start(): Promise<KubeResult<void>> {
    const started = await this.writer.start();
    if (!started.ok) return started;
    if (this.writer.nameOf(this.name) !== undefined) return ok(undefined);
    const resource = inNamespace(resourceTypes.configurationStates, this.options.namespace);
    const existing = await getObject(this.options.client, resource, this.name);
    if (existing.ok) this.writer.observe(existing.value);
    return ok(undefined);
  }

  /** Writes the state; nothing is sent when the object already shows it. */
  async write(
    verdict: ConfigurationVerdict,
    conditions: readonly ConditionInput[],
  ): Promise<KubeResult<WriteOutcome>> {
    const previous = this.requested ?? this.writer.statusOf(this.name);
    const desired = configurationStateObject(
      this.options.component,
      verdict,
      conditions,
      previous,
      this.now(),
    );
    this.requested = desired.status;
    const result = await this.writer.write(desired);
    if (!result.ok && jsonEqual(this.requested, desired.status)) this.requested = undefined;
    return result;
  }
}
