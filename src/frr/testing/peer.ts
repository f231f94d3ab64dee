// Test builders for validated config objects: a complete Peer / BfdProfile with overrides.
import type { BfdProfile, Peer } from '../../config/types.js';

export function testPeer(overrides: Partial<Peer> & { name: string }): Peer {
  return {
    myASN: 65100,
    peerASN: 65000,
    dynamicASN: undefined,
    localASN: undefined,
    address: undefined,
    interface: undefined,
    sourceAddress: undefined,
    port: 179,
    holdTime: undefined,
    keepaliveTime: undefined,
    connectTime: undefined,
    routerID: undefined,
    nodeSelectors: [],
    password: undefined,
    bfdProfile: undefined,
    enableGracefulRestart: false,
    ebgpMultiHop: false,
    vrf: '',
    dualStackAddressFamily: false,
    ...overrides,
  };
}

export function testBfdProfile(overrides: Partial<BfdProfile> & { name: string }): BfdProfile {
  return {
    receiveInterval: undefined,
    transmitInterval: undefined,
    detectMultiplier: undefined,
    echoInterval: undefined,
    echoMode: undefined,
    passiveMode: undefined,
    minimumTtl: undefined,
    ...overrides,
  };
}
