// A bare L2Responder in its own process, so tests can run one inside a network namespace
// (`ip netns exec NS node dist/test/support/l2/responder-process.js`). Stdin: one JSON line per
// ownership change, `{"own":[{"ip":"198.51.100.200","interfaces":["eth0"]}]}` (interfaces null =
// all). Stdout: `{"event":"ready"|"owned",...}` lines.
import { createInterface } from 'node:readline';
import winston from 'winston';
import { L2Responder } from '../../../src/l2/responder.js';
import { parseIp } from '../../../src/net/ip.js';

interface OwnLine {
  readonly own: ReadonlyArray<{ readonly ip: string; readonly interfaces: readonly string[] | null }>;
}

const logger = winston.createLogger({
  level: 'warn',
  transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] })],
});
const counts = { requests: 0, responses: 0, gratuitous: 0 };
const responder = new L2Responder({
  logger,
  counters: {
    requestReceived: () => (counts.requests += 1),
    responseSent: () => (counts.responses += 1),
    gratuitousSent: () => (counts.gratuitous += 1),
  },
  gratuitousIntervalMs: Number(process.env.FERRY_TEST_GRATUITOUS_MS ?? 1100),
});
const print = (value: object): void => void process.stdout.write(`${JSON.stringify(value)}\n`);
print({ event: 'ready', interfaces: Object.fromEntries(responder.interfaces()) });

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'counts') return print({ event: 'counts', ...counts });
  const parsed = JSON.parse(line) as OwnLine;
  responder.setOwned(
    parsed.own.map((entry) => {
      const ip = parseIp(entry.ip);
      if (ip === undefined) throw new Error(`bad ip ${entry.ip}`);
      return { ip, interfaces: entry.interfaces === null ? undefined : new Set(entry.interfaces) };
    }),
  );
  print({
    event: 'owned',
    owned: [...responder.ownedTable().keys()],
    interfaces: Object.fromEntries(responder.interfaces()),
  });
});
process.stdin.on('end', () => {
  responder.close();
  process.exit(0);
});
process.on('SIGTERM', () => {
  responder.close();
  process.exit(0);
});
