// The announce decision's public surface.
export { announcementsForNode } from './announcements.js';
export { ServiceDecisionMemo, type MemoCounters } from './service-decision-memo.js';
export { explainText, type ExplainFilter } from './explain.js';
export { peerFamilies, peersForNode } from './peers.js';
export { endpointCanServe } from './endpoints.js';
export type * from './types.js';
