import { ansiColour, formatTable, noColour } from './table.js';

const rows = [
  [{ text: 'node-21' }, { text: 'Established', tone: 'good' as const }, { text: '-' }],
  [{ text: 'node-2' }, { text: 'Active', tone: 'bad' as const }, { text: 'Hold Timer Expired' }],
];

test('kubectl-style columns: two spaces apart, the last one not padded', () => {
  expect(formatTable(['NODE', 'BGP', 'LAST ERROR'], rows, noColour)).toBe(
    [
      'NODE     BGP          LAST ERROR',
      'node-21  Established  -',
      'node-2   Active       Hold Timer Expired',
      '',
    ].join('\n'),
  );
});

test('colour never shifts a column: without the escape codes the text is the same', () => {
  const coloured = formatTable(['NODE', 'BGP', 'LAST ERROR'], rows, ansiColour);
  expect(coloured).toContain('\u001b[31mActive\u001b[0m');
  // eslint-disable-next-line no-control-regex
  expect(coloured.replace(/\u001b\[\d*m/g, '')).toBe(
    formatTable(['NODE', 'BGP', 'LAST ERROR'], rows, noColour),
  );
});
