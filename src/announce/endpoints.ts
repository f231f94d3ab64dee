// Whether a Service has an endpoint that can take traffic, as MetalLB's speaker decides it.
import type { EndpointInfo, EndpointSliceInfo } from '../api/cluster.js';

/**
 * Ready (or readiness unknown), or terminating but still serving: MetalLB keeps the route for
 * terminating-but-serving endpoints so connections drain (#2577 asked for an opt-out).
 */
export function endpointCanServe(endpoint: EndpointInfo): boolean {
  return endpoint.ready !== false || endpoint.serving === true;
}

/**
 * Some endpoint with addresses can serve; only those on `nodeName` when it is given
 * (externalTrafficPolicy Local).
 */
export function hasServingEndpoint(slices: readonly EndpointSliceInfo[], nodeName?: string): boolean {
  return slices.some((slice) =>
    slice.endpoints.some(
      (endpoint) =>
        (nodeName === undefined || endpoint.nodeName === nodeName) &&
        endpoint.addresses.length > 0 &&
        endpointCanServe(endpoint),
    ),
  );
}
