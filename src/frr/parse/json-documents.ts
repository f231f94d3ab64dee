// vtysh prints one JSON document per `-c '... json'` command, concatenated with only whitespace between
// them (`{...}\n{...}`), which JSON.parse rejects as a whole. This splits the text at document boundaries.
import type { Result } from '../../util/result.js';

/** The documents, or why the text is not a sequence of JSON documents. */
export type JsonDocumentsResult = Result<readonly unknown[], string>;

const WHITESPACE = /\s/;

/** Index just past the JSON value starting at `start` (string-aware bracket matching), or -1 when unterminated. */
function valueEnd(text: string, start: number): number {
  const first = text[start];
  if (first !== '{' && first !== '[' && first !== '"') {
    let end = start;
    while (end < text.length && !WHITESPACE.test(text[end] ?? '')) end++;
    return end;
  }
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') {
        inString = false;
        if (depth === 0) return i + 1;
      }
    } else if (char === '"') inString = true;
    else if (char === '{' || char === '[') depth++;
    else if (char === '}' || char === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/** Attempts of the fast path per document before the exact scan takes over. */
const FAST_ATTEMPTS = 3;

/**
 * Where the pretty-printed document starting at `start` ends, found with indexOf and checked by
 * JSON.parse: FRR prints each document's closing brace alone at the start of a line, and a raw
 * newline cannot be inside a JSON string, so `\n}` never cuts a string. A cut at an inner brace
 * does not parse and the next candidate is tried. Megabytes of `advertised-routes json` split this
 * way in a few milliseconds; the character scan took hundreds.
 */
function parsePretty(text: string, start: number): { value: unknown; end: number } | undefined {
  let close = text.indexOf('\n}', start);
  for (let attempt = 0; close >= 0 && attempt < FAST_ATTEMPTS; attempt++) {
    const end = close + 2;
    if (end === text.length || WHITESPACE.test(text[end] ?? '')) {
      try {
        return { value: JSON.parse(text.slice(start, end)), end };
      } catch {
        // an inner brace at the start of a line, or a broken document: further, then the scan
      }
    }
    close = text.indexOf('\n}', end);
  }
  return undefined;
}

export function parseJsonDocuments(text: string): JsonDocumentsResult {
  const documents: unknown[] = [];
  let position = 0;
  for (;;) {
    while (position < text.length && WHITESPACE.test(text[position] ?? '')) position++;
    if (position >= text.length) return { ok: true, value: documents };
    const pretty = text[position] === '{' ? parsePretty(text, position) : undefined;
    if (pretty !== undefined) {
      documents.push(pretty.value);
      position = pretty.end;
      continue;
    }
    const end = valueEnd(text, position);
    if (end < 0) return { ok: false, error: `unterminated JSON document at offset ${position}` };
    const slice = text.slice(position, end);
    try {
      documents.push(JSON.parse(slice));
    } catch (error) {
      const excerpt = slice.length > 60 ? `${slice.slice(0, 60)}…` : slice;
      return {
        ok: false,
        error: `not JSON at offset ${position} (${(error as Error).message}): ${JSON.stringify(excerpt)}`,
      };
    }
    position = end;
  }
}
