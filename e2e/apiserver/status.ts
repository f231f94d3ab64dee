// metav1.Status failures, shaped like the real API server's so kubectl prints the same messages.

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: string;
  details?: StatusDetails;
  code: number;
}

/** A request that cannot be served, carried up to the HTTP layer which writes it as the response. */
export class StatusFailure extends Error {
  constructor(readonly status: Status) {
    super(status.message);
  }
}

export function failure(
  code: number,
  reason: string,
  message: string,
  details?: StatusDetails,
): StatusFailure {
  const status: Status = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
  if (details) status.details = details;
  return new StatusFailure(status);
}

/** `bgppeers.metallb.io` or `services` — how the API names a resource in messages. */
export function qualifiedResource(group: string, plural: string): string {
  return group ? `${plural}.${group}` : plural;
}

export const notFound = (group: string, plural: string, name: string): StatusFailure =>
  failure(404, 'NotFound', `${qualifiedResource(group, plural)} "${name}" not found`, {
    name,
    group,
    kind: plural,
  });

export const alreadyExists = (group: string, plural: string, name: string): StatusFailure =>
  failure(409, 'AlreadyExists', `${qualifiedResource(group, plural)} "${name}" already exists`, {
    name,
    group,
    kind: plural,
  });

export const conflict = (group: string, plural: string, name: string): StatusFailure =>
  failure(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(group, plural)} "${name}": ` +
      'the object has been modified; please apply your changes to the latest version and try again',
    { name, group, kind: plural },
  );

export const badRequest = (message: string): StatusFailure => failure(400, 'BadRequest', message);

export interface FieldError {
  /** Dotted path as the API prints it: `spec.peerASN`, `spec.ports[0].port`. */
  field: string;
  reason: 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueNotSupported' | 'FieldValueTypeInvalid';
  /** The detail after `field: `, e.g. `Invalid value: "abc": spec.peerASN in body must be of type integer`. */
  detail: string;
}

/** 422 Invalid, message `<Kind>.<group> "<name>" is invalid: [<field>: <detail>, ...]`. */
export function invalid(group: string, kind: string, name: string, errors: FieldError[]): StatusFailure {
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  const lines = errors.map((e) => `${e.field}: ${e.detail}`);
  const summary = lines.length === 1 ? (lines[0] ?? '') : `[${lines.join(', ')}]`;
  return failure(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${summary}`, {
    name,
    group,
    kind,
    causes: errors.map((e) => ({ reason: e.reason, message: e.detail, field: e.field })),
  });
}
