// `ferry status` output: the sessions as a table a person reads (or JSON).
import type { SessionStatus } from './session-status.js';

const COLUMNS: readonly { title: string; value: (s: SessionStatus) => string }[] = [
  { title: 'PEER', value: (s) => s.peer },
  { title: 'VRF', value: (s) => s.vrf || 'default' },
  { title: 'BGP', value: (s) => s.bgpStatus },
  { title: 'UPTIME', value: (s) => s.uptime || '-' },
  { title: 'SENT', value: (s) => String(s.prefixesSent) },
  { title: 'RECEIVED', value: (s) => String(s.prefixesReceived) },
  { title: 'BFD', value: (s) => s.bfdStatus },
  {
    title: 'BFD TIMERS',
    value: (s) =>
      s.bfdTimers === undefined
        ? '-'
        : `${s.bfdTimers.receiveInterval}/${s.bfdTimers.transmitInterval}x${s.bfdTimers.detectMultiplier}`,
  },
  { title: 'LAST ERROR', value: (s) => s.lastError || '-' },
];

export function sessionTable(sessions: readonly SessionStatus[]): string {
  const rows = [COLUMNS.map((c) => c.title), ...sessions.map((s) => COLUMNS.map((c) => c.value(s)))];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}
