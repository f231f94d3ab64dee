// The client host of the layer 2 benchmark (bench/l2.ts), run inside the lab's client namespace:
// `ip netns exec NS node dist/bench/l2-client.js IFACE SOURCE_IP`. It asks ARP questions through a
// packet socket (the same addon the responder uses), watches the segment's ARP traffic and probes
// the Service over HTTP, timestamping everything on the wall clock with sub-millisecond resolution
// (performance.timeOrigin + performance.now(), comparable with the benchmark's and the speakers'
// clocks on this machine). Stdin: one JSON command a line; stdout: one JSON event a line.
//
//   {"cmd":"latency","targets":["A","B"],"count":N,"gapMs":G}  N sequential who-has requests,
//        alternating over the targets; each waits for its reply (or 200 ms) → {"event":"latency",
//        "byTarget":{"A":{"ms":[...],"lost":0}}}
//   {"cmd":"load","targets":[...],"rate":R,"seconds":S}  R requests/s round-robin over the targets for
//        S seconds, then 1 s to drain → {"event":"load","sent","replied","unanswered":[targets],"ms":[...]}
//   {"cmd":"watch","ip":"A"}  from now on every ARP frame whose sender is A → {"event":"arp","mac",
//        "operation","gratuitous","at"}
//   {"cmd":"serve","url":U,"accept":["node-21"]|null,"intervalMs":I,"timeoutMs":T,"giveUpMs":G}
//        a new HTTP connection every I ms (each waiting up to T ms) until one is answered by an
//        accepted node ("hello from NODE") → {"event":"served","node","at","attempts"} or
//        {"event":"served","node":null} after G ms
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { buildArpRequest, parseArpFrame, type ArpPacket } from '../src/l2/arp.js';
import { formatMac } from '../src/l2/mac.js';
import { ipv4Text } from '../src/l2/owned.js';
import { listLinks, PacketSocket } from '../src/l2/packet-socket.js';
import { parseIp } from '../src/net/ip.js';

type Command =
  | { cmd: 'latency'; targets: string[]; count: number; gapMs: number }
  | { cmd: 'load'; targets: string[]; rate: number; seconds: number }
  | { cmd: 'watch'; ip: string }
  | {
      cmd: 'serve';
      url: string;
      accept: string[] | null;
      intervalMs: number;
      timeoutMs: number;
      giveUpMs: number;
    };

const [interfaceName = 'eth0', sourceText = ''] = process.argv.slice(2);
const link = listLinks().find((candidate) => candidate.name === interfaceName);
const source = parseIp(sourceText);
if (link?.mac === undefined || source === undefined || source.family !== 'ipv4') {
  process.stderr.write(`usage: l2-client IFACE SOURCE_IPV4 (got ${interfaceName} ${sourceText})\n`);
  process.exit(2);
}
const ourMac = link.mac;
const ourIp = Number(source.value);

const now = (): number => performance.timeOrigin + performance.now();
const emit = (value: object): void => void process.stdout.write(`${JSON.stringify(value)}\n`);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function ipv4(text: string): number {
  const parsed = parseIp(text);
  if (parsed?.family !== 'ipv4') throw new Error(`not an IPv4 address: ${text}`);
  return Number(parsed.value);
}

/** Handlers for every ARP frame received on the interface. */
const listeners = new Set<(packet: ArpPacket, at: number) => void>();
const socket = PacketSocket.open(link.index, 'arp', (frame) => {
  const at = now();
  const packet = parseArpFrame(frame);
  if (packet !== undefined) for (const listener of listeners) listener(packet, at);
});

/** Replies addressed to us, by the IP they answer for: resolves the waiter of that IP. */
const waiting = new Map<number, (at: number) => void>();
listeners.add((packet, at) => {
  if (packet.operation !== 'reply' || packet.targetIp !== ourIp) return;
  waiting.get(packet.senderIp)?.(at);
});

function ask(target: number): void {
  socket.send(buildArpRequest(ourMac, ourIp, target));
}

async function latency(command: Extract<Command, { cmd: 'latency' }>): Promise<void> {
  const byTarget = new Map(command.targets.map((t) => [t, { ms: [] as number[], lost: 0 }]));
  for (let i = 0; i < command.count; i++) {
    const text = command.targets[i % command.targets.length] ?? '';
    const target = ipv4(text);
    const entry = byTarget.get(text) ?? { ms: [], lost: 0 };
    const sent = now();
    const answered = await new Promise<number | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), 200);
      waiting.set(target, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
      ask(target);
    });
    waiting.delete(target);
    if (answered === undefined) entry.lost += 1;
    else entry.ms.push(answered - sent);
    await sleep(command.gapMs);
  }
  emit({ event: 'latency', byTarget: Object.fromEntries(byTarget) });
}

/** 198.51.100.0: the sender addresses of the load's requests (a documentation range, see above) */
const LOAD_SENDERS = ipv4('198.51.100.0');

async function load(command: Extract<Command, { cmd: 'load' }>): Promise<void> {
  const targets = command.targets.map(ipv4);
  const total = Math.round(command.rate * command.seconds);
  // Each request says it comes from 198.51.100.(n mod 256), so its reply (sent back to our MAC for
  // that address) names the request it answers: a lost reply cannot be mistaken for a late one.
  const asked = new Map<string, number>(); // `${target}/${sender}` → when the request went out
  const repliedTo = new Set<number>();
  const ms: number[] = [];
  let replied = 0;
  const onReply = (packet: ArpPacket, at: number): void => {
    if (packet.operation !== 'reply' || (packet.targetIp & ~0xff) >>> 0 !== LOAD_SENDERS) return;
    const key = `${packet.senderIp}/${packet.targetIp}`;
    const sent = asked.get(key);
    if (sent === undefined) return;
    asked.delete(key);
    replied += 1;
    repliedTo.add(packet.senderIp);
    ms.push(at - sent);
  };
  listeners.add(onReply);
  const started = now();
  let sent = 0;
  // every 5 ms, whatever is due by now: the rate holds even when a tick comes late
  while (sent < total) {
    const due = Math.min(total, Math.floor(((now() - started) / 1000) * command.rate));
    for (; sent < due; sent++) {
      const target = targets[sent % targets.length] ?? 0;
      const sender = (LOAD_SENDERS | (sent & 0xff)) >>> 0;
      asked.set(`${target}/${sender}`, now());
      socket.send(buildArpRequest(ourMac, sender, target));
    }
    await sleep(5);
  }
  const sendingSeconds = (now() - started) / 1000;
  await sleep(1000);
  listeners.delete(onReply);
  emit({
    event: 'load',
    sent,
    replied,
    sendingSeconds,
    unanswered: targets.filter((t) => !repliedTo.has(t)).map(ipv4Text),
    ms,
  });
}

function watch(command: Extract<Command, { cmd: 'watch' }>): void {
  const ip = ipv4(command.ip);
  listeners.add((packet, at) => {
    if (packet.senderIp !== ip) return;
    emit({
      event: 'arp',
      ip: command.ip,
      mac: formatMac(packet.senderMac),
      operation: packet.operation,
      gratuitous: packet.targetIp === ip,
      at,
    });
  });
}

/** One HTTP GET on a new connection: the node named in the body, or undefined. */
function get(url: string, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: timeoutMs }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve(/^hello from (\S+)/.exec(body)?.[1]));
      response.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

async function serve(command: Extract<Command, { cmd: 'serve' }>): Promise<void> {
  const started = now();
  let attempts = 0;
  let done = false;
  await new Promise<void>((resolve) => {
    const finish = (value: object): void => {
      if (done) return;
      done = true;
      clearInterval(timer);
      emit(value);
      resolve();
    };
    const attempt = (): void => {
      if (now() - started > command.giveUpMs) return finish({ event: 'served', node: null, attempts });
      attempts += 1;
      void get(command.url, command.timeoutMs).then((node) => {
        const at = now();
        if (node !== undefined && (command.accept === null || command.accept.includes(node)))
          finish({ event: 'served', node, at, attempts });
      });
    };
    const timer = setInterval(attempt, command.intervalMs);
    attempt();
  });
}

emit({ event: 'ready', mac: formatMac(ourMac) });
// commands run one after another (watch returns at once and keeps listening)
let queue = Promise.resolve();
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === '') return;
  const command = JSON.parse(line) as Command;
  queue = queue.then(async () => {
    try {
      if (command.cmd === 'latency') await latency(command);
      else if (command.cmd === 'load') await load(command);
      else if (command.cmd === 'watch') watch(command);
      else await serve(command);
    } catch (error) {
      emit({ event: 'error', cmd: command.cmd, message: String(error) });
    }
  });
});
process.stdin.on('end', () => {
  socket.close();
  process.exit(0);
});
