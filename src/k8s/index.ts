// The Kubernetes shell the speaker and the controller use: one import for all of it.
export * from './client.js';
export * from './errors.js';
export * from './events.js';
export * from './http-client.js';
export * from './informer.js';
export * from './kube-object.js';
export * from './lease.js';
export * from './merge-patch.js';
export * from './metrics.js';
export * from './resources.js';
export * from './service-status.js';
export * from './status-writer.js';
export type { BackoffPolicy } from './backoff.js';
export type { RateLimit } from './rate-limit.js';
