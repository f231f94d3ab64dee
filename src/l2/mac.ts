// Ethernet MAC addresses as 6-byte buffers, with the canonical lowercase colon text for logs and status.

export const MAC_LENGTH = 6;
export const BROADCAST_MAC = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

export function formatMac(mac: Uint8Array): string {
  return Array.from(mac.subarray(0, MAC_LENGTH), (byte) => byte.toString(16).padStart(2, '0')).join(':');
}

const MAC_TEXT = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

/** Parses `aa:bb:cc:dd:ee:ff`; undefined for anything else. */
export function parseMac(text: string): Buffer | undefined {
  if (!MAC_TEXT.test(text)) return undefined;
  return Buffer.from(text.split(':').map((part) => Number.parseInt(part, 16)));
}

export function sameMac(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a.subarray(0, MAC_LENGTH), b.subarray(0, MAC_LENGTH)) === 0;
}
