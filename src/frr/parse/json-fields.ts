// Defensive readers for vtysh JSON: FRR adds, drops and renames fields between versions and states,
// so every field is optional and a value of the wrong type reads as absent instead of crashing.

export type JsonObject = Readonly<Record<string, unknown>>;

export function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as JsonObject)
    : undefined;
}

export function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The object's own entries whose values are objects (FRR's maps keyed by peer, VRF, prefix). */
export function objectEntries(value: unknown): [string, JsonObject][] {
  const object = asObject(value);
  if (object === undefined) return [];
  const entries: [string, JsonObject][] = [];
  for (const [key, child] of Object.entries(object)) {
    const childObject = asObject(child);
    if (childObject !== undefined) entries.push([key, childObject]);
  }
  return entries;
}

export function objectField(object: JsonObject | undefined, key: string): JsonObject | undefined {
  return object === undefined || !Object.hasOwn(object, key) ? undefined : asObject(object[key]);
}

export function numberField(object: JsonObject | undefined, key: string): number | undefined {
  const value = object === undefined || !Object.hasOwn(object, key) ? undefined : object[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function stringField(object: JsonObject | undefined, key: string): string | undefined {
  const value = object === undefined || !Object.hasOwn(object, key) ? undefined : object[key];
  return typeof value === 'string' ? value : undefined;
}

export function booleanField(object: JsonObject | undefined, key: string): boolean | undefined {
  const value = object === undefined || !Object.hasOwn(object, key) ? undefined : object[key];
  return typeof value === 'boolean' ? value : undefined;
}

/** Milliseconds → whole seconds, keeping "absent" absent. */
export function msToSeconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.floor(ms / 1000);
}
