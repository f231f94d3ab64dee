// JSON merge patch (RFC 7386) between two JSON values: what to send so the server turns `current`
// into `desired`, or nothing when they are equal. Pure. Lists are replaced whole (that is what
// merge patch does), so a changed list is sent entire; removed keys become null.
import { isRecord } from './kube-object.js';

/** Structural equality of JSON values (key order does not matter, list order does). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, index) => jsonEqual(item, b[index]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      // An absent key and an undefined one serialize the same.
      if (!jsonEqual(a[key], b[key])) return false;
    }
    return true;
  }
  return false;
}

/**
 * The merge patch from `current` to `desired` (both JSON objects), or undefined when nothing
 * differs. `desired` must not contain null: in a merge patch null means "remove".
 */
export function mergePatchBetween(
  current: Record<string, unknown>,
  desired: Record<string, unknown>,
): Record<string, unknown> | undefined {
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(desired)) {
    if (value === undefined) continue;
    const before = current[key];
    if (isRecord(value) && isRecord(before)) {
      const nested = mergePatchBetween(before, value);
      if (nested !== undefined) patch[key] = nested;
    } else if (!jsonEqual(before, value)) patch[key] = value;
  }
  for (const [key, value] of Object.entries(current)) {
    if (value !== undefined && desired[key] === undefined) patch[key] = null;
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}
