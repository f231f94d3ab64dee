// The process settings deploy/speaker.yaml gives the ferry container (NODE_OPTIONS, glibc's MALLOC_*),
// read from the manifest so that speakers the lab starts by hand run with what ships: a memory
// benchmark of other settings would measure another program.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { yaml } from '../util/yaml.js';
import { packageRoot } from '../util/package-root.js';

const PROCESS_SETTINGS = /^(NODE_OPTIONS|MALLOC_[A-Z_]+)$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `name → value` of the ferry container's literal process settings in a DaemonSet manifest. */
export function processSettingsOf(manifest: string, container = 'ferry'): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const document of yaml.parseAllDocuments(manifest)) {
    const object: unknown = 'toJS' in document ? document.toJS() : undefined;
    if (!isRecord(object) || object['kind'] !== 'DaemonSet') continue;
    const spec = (object['spec'] as { template?: { spec?: { containers?: unknown } } } | undefined)?.template
      ?.spec;
    const containers = Array.isArray(spec?.containers) ? (spec.containers as unknown[]) : [];
    for (const entry of containers) {
      if (!isRecord(entry) || entry['name'] !== container || !Array.isArray(entry['env'])) continue;
      for (const variable of entry['env'] as unknown[]) {
        if (!isRecord(variable) || typeof variable['value'] !== 'string') continue;
        const name = String(variable['name']);
        if (PROCESS_SETTINGS.test(name)) settings[name] = variable['value'];
      }
    }
  }
  return settings;
}

/** The settings of deploy/speaker.yaml's ferry container. */
export function shippedSpeakerSettings(): Record<string, string> {
  return processSettingsOf(readFileSync(join(packageRoot(), 'deploy', 'speaker.yaml'), 'utf8'));
}
