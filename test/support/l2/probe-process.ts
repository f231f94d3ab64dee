// Asks "who has IP?" on the segment the way a client host does (ARP request, or Neighbor
// Solicitation to the solicited-node group) and prints every answer: `{"replies":[{"mac","ms"}]}`.
// Run inside the client's namespace: `node probe-process.js IFACE TARGET_IP SOURCE_IP WAIT_MS`.
import { buildArpRequest, parseArpFrame } from '../../../src/l2/arp.js';
import { formatMac } from '../../../src/l2/mac.js';
import { buildNeighborSolicitation, parseNeighborAdvertisement } from '../../../src/l2/ndp.js';
import { ipv4Number, ipv6Bytes } from '../../../src/l2/owned.js';
import { listLinks, PacketSocket } from '../../../src/l2/packet-socket.js';
import { parseIp } from '../../../src/net/ip.js';

const [interfaceName = '', targetText = '', sourceText = '', waitText = '300'] = process.argv.slice(2);
const target = parseIp(targetText);
const source = parseIp(sourceText.split('%')[0] ?? '');
const link = listLinks().find((candidate) => candidate.name === interfaceName);
if (target === undefined || source === undefined || link?.mac === undefined) {
  process.stderr.write(
    `usage: probe-process IFACE TARGET SOURCE WAIT_MS (${interfaceName} ${targetText} ${sourceText})\n`,
  );
  process.exit(2);
}
const replies: Array<{ mac: string; ms: number }> = [];
const started = process.hrtime.bigint();
const elapsed = (): number => Number(process.hrtime.bigint() - started) / 1e6;
const socket = PacketSocket.open(link.index, target.family === 'ipv4' ? 'arp' : 'ndp', (frame) => {
  if (target.family === 'ipv4') {
    const packet = parseArpFrame(frame);
    if (packet?.operation === 'reply' && packet.senderIp === ipv4Number(target))
      replies.push({ mac: formatMac(packet.senderMac), ms: elapsed() });
  } else {
    const advertisement = parseNeighborAdvertisement(frame);
    if (advertisement?.target.equals(ipv6Bytes(target)) && advertisement.solicited)
      replies.push({
        mac: formatMac(advertisement.targetMac ?? advertisement.ethernetSource),
        ms: elapsed(),
      });
  }
});
socket.send(
  target.family === 'ipv4'
    ? buildArpRequest(link.mac, ipv4Number(source), ipv4Number(target))
    : buildNeighborSolicitation(link.mac, ipv6Bytes(source), ipv6Bytes(target)),
);
setTimeout(() => {
  socket.close();
  process.stdout.write(`${JSON.stringify({ replies })}\n`);
}, Number(waitText));
