// `show bfd [vrf NAME] peers counters json` → packet and event counters per BFD session (the
// `metallb_bfd_*` metrics).
import { bfdSessionId, parseBfdSessionKey, type BfdSession, type BfdSessionKey } from './bfd-peers.js';
import { asArray, asObject, numberField } from './json-fields.js';

export interface BfdCounters extends BfdSessionKey {
  readonly controlPacketsIn: number | undefined;
  readonly controlPacketsOut: number | undefined;
  readonly echoPacketsIn: number | undefined;
  readonly echoPacketsOut: number | undefined;
  readonly sessionUpEvents: number | undefined;
  readonly sessionDownEvents: number | undefined;
  readonly zebraNotifications: number | undefined;
}

export function parseBfdCounters(document: unknown): BfdCounters[] {
  return asArray(document).flatMap((entry) => {
    const counters = asObject(entry);
    const key = counters === undefined ? undefined : parseBfdSessionKey(counters);
    if (key === undefined) return [];
    return [
      {
        ...key,
        controlPacketsIn: numberField(counters, 'control-packet-input'),
        controlPacketsOut: numberField(counters, 'control-packet-output'),
        echoPacketsIn: numberField(counters, 'echo-packet-input'),
        echoPacketsOut: numberField(counters, 'echo-packet-output'),
        sessionUpEvents: numberField(counters, 'session-up'),
        sessionDownEvents: numberField(counters, 'session-down'),
        zebraNotifications: numberField(counters, 'zebra-notifications'),
      },
    ];
  });
}

/** Pairs each session with its counters (same peer, local address, VRF, interface, hop mode). */
export function bfdSessionsWithCounters(
  sessions: readonly BfdSession[],
  counters: readonly BfdCounters[],
): { readonly session: BfdSession; readonly counters: BfdCounters | undefined }[] {
  const byId = new Map(counters.map((entry) => [bfdSessionId(entry), entry]));
  return sessions.map((session) => ({ session, counters: byId.get(bfdSessionId(session)) }));
}
