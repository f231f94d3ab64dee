// The responder's decision per frame on its own (src/l2/answer.ts, no sockets): CPU time of
// `answerArp` for a request it answers and for one about another IP, with 1, 1,000 and 10,000 owned
// IPs, to show whether the cost grows with the owned set. CPU time (process.cpuUsage), not wall
// time, so a loaded machine changes the figures little.
//
// Run: npx tsc -p tsconfig.json && node dist/bench/l2-answer.js [--frames 200000]
import { answerArp, type ResponderLink } from '../src/l2/answer.js';
import { buildArpRequest } from '../src/l2/arp.js';
import type { OwnedAddress } from '../src/l2/owned.js';
import { parseIp } from '../src/net/ip.js';
import { load, print } from './lab-support.js';

const frames = Number(process.argv[process.argv.indexOf('--frames') + 1] ?? '') || 200_000;
const link: ResponderLink = { name: 'eth0', mac: Buffer.from([2, 0, 0, 0, 0, 1]), linkLocal: undefined };
const client = { mac: Buffer.from([2, 0, 0, 0, 0, 9]), ip: Number(parseIp('192.0.2.100')?.value) };
const base = Number(parseIp('198.18.0.0')?.value);

function ownedTable(count: number): Map<string, OwnedAddress> {
  const table = new Map<string, OwnedAddress>();
  for (let i = 1; i <= count; i++) {
    const ip = parseIp(`198.18.${i >> 8}.${i & 255}`);
    if (ip !== undefined) table.set(ip.text, { ip, interfaces: undefined });
  }
  return table;
}

/** CPU nanoseconds per call of answerArp over `requests`, after a warm-up. */
function nsPerFrame(requests: readonly Buffer[], owned: Map<string, OwnedAddress>): number {
  for (let i = 0; i < 20_000; i++) answerArp(requests[i % requests.length] as Buffer, link, owned);
  const before = process.cpuUsage();
  for (let i = 0; i < frames; i++) answerArp(requests[i % requests.length] as Buffer, link, owned);
  const used = process.cpuUsage(before);
  return ((used.user + used.system) * 1000) / frames;
}

print(`answerArp, ${frames} frames per figure; ${load()}`);
for (const count of [1, 1_000, 10_000]) {
  const owned = ownedTable(count);
  // requests spread over the owned IPs, and one request for an IP nobody here owns
  const answered = Array.from({ length: 1_000 }, (_, i) =>
    buildArpRequest(client.mac, client.ip, base + (i % count) + 1),
  );
  const other = [buildArpRequest(client.mac, client.ip, Number(parseIp('192.0.2.254')?.value))];
  print(
    `${String(count).padStart(6)} owned IPs: answered request ${nsPerFrame(answered, owned).toFixed(0)} ns, ` +
      `request for another IP ${nsPerFrame(other, owned).toFixed(0)} ns (CPU time per frame)`,
  );
}
