// One copy of each of the few distinct texts that recur in every cached object (namespaces, node
// names, Service types): JSON.parse gives every object its own copy, and at 10,000 Services the
// copies of "LoadBalancer", the namespace and the node name add up to ~1 MB per field. Only for
// low-cardinality values: the table stops growing at LIMIT (later texts are returned as given).
const LIMIT = 4_096;
const table = new Map<string, string>();

/** `text`, as the one copy held for that value. */
export function sharedString(text: string): string {
  const held = table.get(text);
  if (held !== undefined) return held;
  if (table.size < LIMIT) table.set(text, text);
  return text;
}
