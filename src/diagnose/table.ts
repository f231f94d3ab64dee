// Text output shared by `kubectl ferry`'s views: kubectl-style tables (upper-case headers, columns
// two spaces apart, the last column not padded) and optional ANSI colour for a terminal.

export type Tone = 'good' | 'bad' | 'warn' | 'plain';

/** Colours a cell's text; the identity when colour is off. */
export type Paint = (text: string, tone: Tone) => string;

const CODES: Readonly<Record<Tone, string>> = { good: '32', bad: '31', warn: '33', plain: '' };

export const noColour: Paint = (text) => text;

export const ansiColour: Paint = (text, tone) =>
  tone === 'plain' || text === '' ? text : `\u001b[${CODES[tone]}m${text}\u001b[0m`;

export interface Cell {
  readonly text: string;
  readonly tone?: Tone;
}

/** Padding is computed on the plain text, so colour never shifts a column. */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly Cell[])[],
  paint: Paint,
): string {
  const all: (readonly Cell[])[] = [headers.map((text) => ({ text })), ...rows];
  const widths = headers.map((_, i) => Math.max(...all.map((row) => row[i]?.text.length ?? 0)));
  return all
    .map((row) =>
      row
        .map((cell, i) => {
          const padded = i === row.length - 1 ? '' : ' '.repeat((widths[i] ?? 0) - cell.text.length);
          return paint(cell.text, cell.tone ?? 'plain') + padded;
        })
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}
