// Kubernetes' protobuf encoding of request bodies, decoded to the JSON form of the same object.
// client-go sends built-in kinds as `application/vnd.kubernetes.protobuf` (kubectl's imperative
// commands: `create namespace`, `create secret generic`, `create token`, `auth can-i`, ...) and
// never falls back to JSON on a 415, so the server reads it. Responses stay JSON: client-go's
// Accept header lists application/json too.
//
// The envelope: the 4 bytes `k8s\0`, then a runtime.Unknown message {1 typeMeta {1 apiVersion,
// 2 kind}, 2 raw, 3 contentEncoding, 4 contentType}, `raw` being the object's own message. Field
// numbers below are those of the Kubernetes API's generated.proto files (k8s.io/api,
// k8s.io/apimachinery), for the kinds clients send this way; a field not listed here is a 400
// naming it rather than silently lost.
import { badRequest } from './status.js';

/**
 * A field's JSON name and type: a scalar, `Time`, `IntOrString`, a message name, `[]T` (repeated)
 * or `map:T` (map<string, T>).
 */
type FieldSpec = readonly [name: string, type: string];
type MessageSpec = Readonly<Record<number, FieldSpec>>;

const metadata: FieldSpec = ['metadata', 'ObjectMeta'];

const messages: Readonly<Record<string, MessageSpec>> = {
  Unknown: {
    1: ['typeMeta', 'TypeMeta'],
    2: ['raw', 'bytes'],
    3: ['contentEncoding', 'string'],
    4: ['contentType', 'string'],
  },
  TypeMeta: { 1: ['apiVersion', 'string'], 2: ['kind', 'string'] },
  ObjectMeta: {
    1: ['name', 'string'],
    2: ['generateName', 'string'],
    3: ['namespace', 'string'],
    4: ['selfLink', 'string'],
    5: ['uid', 'string'],
    6: ['resourceVersion', 'string'],
    7: ['generation', 'int64'],
    8: ['creationTimestamp', 'Time'],
    9: ['deletionTimestamp', 'Time'],
    10: ['deletionGracePeriodSeconds', 'int64'],
    11: ['labels', 'map:string'],
    12: ['annotations', 'map:string'],
    13: ['ownerReferences', '[]OwnerReference'],
    14: ['finalizers', '[]string'],
  },
  OwnerReference: {
    1: ['kind', 'string'],
    3: ['name', 'string'],
    4: ['uid', 'string'],
    5: ['apiVersion', 'string'],
    6: ['controller', 'bool'],
    7: ['blockOwnerDeletion', 'bool'],
  },
  Namespace: { 1: metadata, 2: ['spec', 'NamespaceSpec'], 3: ['status', 'NamespaceStatus'] },
  NamespaceSpec: { 1: ['finalizers', '[]string'] },
  NamespaceStatus: { 1: ['phase', 'string'] },
  Secret: {
    1: metadata,
    2: ['data', 'map:bytes'],
    3: ['type', 'string'],
    4: ['stringData', 'map:string'],
    5: ['immutable', 'bool'],
  },
  ConfigMap: {
    1: metadata,
    2: ['data', 'map:string'],
    3: ['binaryData', 'map:bytes'],
    4: ['immutable', 'bool'],
  },
  ServiceAccount: {
    1: metadata,
    2: ['secrets', '[]ObjectReference'],
    3: ['imagePullSecrets', '[]LocalObjectReference'],
    4: ['automountServiceAccountToken', 'bool'],
  },
  ObjectReference: {
    1: ['kind', 'string'],
    2: ['namespace', 'string'],
    3: ['name', 'string'],
    4: ['uid', 'string'],
    5: ['apiVersion', 'string'],
    6: ['resourceVersion', 'string'],
    7: ['fieldPath', 'string'],
  },
  LocalObjectReference: { 1: ['name', 'string'] },
  Service: { 1: metadata, 2: ['spec', 'ServiceSpec'], 3: ['status', 'ServiceStatus'] },
  ServiceSpec: {
    1: ['ports', '[]ServicePort'],
    2: ['selector', 'map:string'],
    3: ['clusterIP', 'string'],
    4: ['type', 'string'],
    5: ['externalIPs', '[]string'],
    7: ['sessionAffinity', 'string'],
    8: ['loadBalancerIP', 'string'],
    9: ['loadBalancerSourceRanges', '[]string'],
    10: ['externalName', 'string'],
    11: ['externalTrafficPolicy', 'string'],
    12: ['healthCheckNodePort', 'int32'],
    13: ['publishNotReadyAddresses', 'bool'],
    14: ['sessionAffinityConfig', 'SessionAffinityConfig'],
    17: ['ipFamilyPolicy', 'string'],
    18: ['clusterIPs', '[]string'],
    19: ['ipFamilies', '[]string'],
    20: ['allocateLoadBalancerNodePorts', 'bool'],
    21: ['loadBalancerClass', 'string'],
    22: ['internalTrafficPolicy', 'string'],
    23: ['trafficDistribution', 'string'],
  },
  ServicePort: {
    1: ['name', 'string'],
    2: ['protocol', 'string'],
    3: ['port', 'int32'],
    4: ['targetPort', 'IntOrString'],
    5: ['nodePort', 'int32'],
    6: ['appProtocol', 'string'],
  },
  SessionAffinityConfig: { 1: ['clientIP', 'ClientIPConfig'] },
  ClientIPConfig: { 1: ['timeoutSeconds', 'int32'] },
  ServiceStatus: { 1: ['loadBalancer', 'LoadBalancerStatus'] },
  LoadBalancerStatus: { 1: ['ingress', '[]LoadBalancerIngress'] },
  LoadBalancerIngress: { 1: ['ip', 'string'], 2: ['hostname', 'string'], 3: ['ipMode', 'string'] },
  TokenRequest: { 1: metadata, 2: ['spec', 'TokenRequestSpec'], 3: ['status', 'TokenRequestStatus'] },
  TokenRequestSpec: {
    1: ['audiences', '[]string'],
    3: ['boundObjectRef', 'BoundObjectReference'],
    4: ['expirationSeconds', 'int64'],
  },
  BoundObjectReference: {
    1: ['kind', 'string'],
    2: ['apiVersion', 'string'],
    3: ['name', 'string'],
    4: ['uid', 'string'],
  },
  TokenRequestStatus: { 1: ['token', 'string'], 2: ['expirationTimestamp', 'Time'] },
  SelfSubjectAccessReview: {
    1: metadata,
    2: ['spec', 'SelfSubjectAccessReviewSpec'],
    3: ['status', 'SubjectAccessReviewStatus'],
  },
  SelfSubjectAccessReviewSpec: {
    1: ['resourceAttributes', 'ResourceAttributes'],
    2: ['nonResourceAttributes', 'NonResourceAttributes'],
  },
  ResourceAttributes: {
    1: ['namespace', 'string'],
    2: ['verb', 'string'],
    3: ['group', 'string'],
    4: ['version', 'string'],
    5: ['resource', 'string'],
    6: ['subresource', 'string'],
    7: ['name', 'string'],
  },
  NonResourceAttributes: { 1: ['path', 'string'], 2: ['verb', 'string'] },
  SubjectAccessReviewStatus: {
    1: ['allowed', 'bool'],
    2: ['reason', 'string'],
    3: ['evaluationError', 'string'],
    4: ['denied', 'bool'],
  },
  Time: { 1: ['seconds', 'int64'], 2: ['nanos', 'int32'] },
  IntOrString: { 1: ['type', 'int64'], 2: ['intVal', 'int32'], 3: ['strVal', 'string'] },
  MapEntry: { 1: ['key', 'string'], 2: ['value', 'bytes'] },
};

export const protobufMediaType = 'application/vnd.kubernetes.protobuf';
const magic = Buffer.from('k8s\0', 'latin1');

/** The kinds a protobuf body may carry. */
export const protobufKinds: readonly string[] = [
  'Namespace',
  'Secret',
  'ConfigMap',
  'ServiceAccount',
  'Service',
  'TokenRequest',
  'SelfSubjectAccessReview',
];

interface WireField {
  number: number;
  wireType: number;
  /** varint value, or the bytes of a length-delimited field */
  value: bigint | Buffer;
}

function readVarint(buffer: Buffer, offset: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  let position = offset;
  for (;;) {
    const byte = buffer[position];
    if (byte === undefined) throw new Error('truncated varint');
    position++;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, position];
    shift += 7n;
    if (shift > 63n) throw new Error('varint longer than 64 bits');
  }
}

/** Splits a message into its fields, in wire order. */
export function wireFields(buffer: Buffer): WireField[] {
  const fields: WireField[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    const [key, afterKey] = readVarint(buffer, offset);
    const number = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (wireType === 0) {
      const [value, next] = readVarint(buffer, afterKey);
      fields.push({ number, wireType, value });
      offset = next;
    } else if (wireType === 2) {
      const [length, start] = readVarint(buffer, afterKey);
      const end = start + Number(length);
      if (end > buffer.length) throw new Error(`field ${number}: truncated`);
      fields.push({ number, wireType, value: buffer.subarray(start, end) });
      offset = end;
    } else throw new Error(`field ${number}: wire type ${wireType} is not used by the Kubernetes API`);
  }
  return fields;
}

function scalar(type: string, field: WireField, path: string): unknown {
  const { value } = field;
  const needBytes = (): Buffer => {
    if (!Buffer.isBuffer(value)) throw new Error(`${path}: expected a length-delimited ${type}`);
    return value;
  };
  const needVarint = (): bigint => {
    if (Buffer.isBuffer(value)) throw new Error(`${path}: expected a varint ${type}`);
    return value;
  };
  switch (type) {
    case 'string':
      return needBytes().toString('utf8');
    case 'bytes':
      return needBytes().toString('base64');
    case 'bool':
      return needVarint() !== 0n;
    case 'int32':
      return Number(BigInt.asIntN(32, needVarint()));
    case 'int64':
      return Number(BigInt.asIntN(64, needVarint()));
    case 'Time': {
      const time = decodeMessage('Time', needBytes(), path) as { seconds?: number };
      if (time.seconds === undefined) return undefined;
      return new Date(time.seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    }
    case 'IntOrString': {
      const parsed = decodeMessage('IntOrString', needBytes(), path) as {
        type?: number;
        intVal?: number;
        strVal?: string;
      };
      return parsed.type === 1 ? (parsed.strVal ?? '') : (parsed.intVal ?? 0);
    }
    default:
      return decodeMessage(type, needBytes(), path);
  }
}

/** One message's fields as a JSON object, by the table above. */
export function decodeMessage(name: string, buffer: Buffer, path = name): Record<string, unknown> {
  const spec = messages[name];
  if (spec === undefined) throw new Error(`${path}: message ${name} is not known`);
  const object: Record<string, unknown> = {};
  for (const field of wireFields(buffer)) {
    const entry = spec[field.number];
    if (entry === undefined) throw new Error(`${path}: field number ${field.number} is not known`);
    const [key, type] = entry;
    const fieldPath = `${path}.${key}`;
    if (type.startsWith('[]')) {
      const list = (object[key] ??= []) as unknown[];
      list.push(scalar(type.slice(2), field, fieldPath));
    } else if (type.startsWith('map:')) {
      if (!Buffer.isBuffer(field.value)) throw new Error(`${fieldPath}: expected a map entry`);
      const entryFields = wireFields(field.value);
      const keyField = entryFields.find((f) => f.number === 1);
      const valueField = entryFields.find((f) => f.number === 2);
      const mapKey = keyField ? String(scalar('string', keyField, fieldPath)) : '';
      const map = (object[key] ??= {}) as Record<string, unknown>;
      map[mapKey] = valueField ? scalar(type.slice(4), valueField, `${fieldPath}[${mapKey}]`) : '';
    } else {
      // Go's encoder writes every non-pointer field, also when empty; JSON (omitempty) leaves the
      // zero values out, and defaulting relies on their absence.
      const value = scalar(type, field, fieldPath);
      if (value === undefined || value === '' || value === 0 || value === false) delete object[key];
      else object[key] = value;
    }
  }
  return object;
}

/** A `application/vnd.kubernetes.protobuf` body → the object as JSON would carry it; 400 if unreadable. */
export function decodeKubernetesProtobuf(body: Buffer): Record<string, unknown> {
  try {
    if (body.length < magic.length || !body.subarray(0, magic.length).equals(magic))
      throw new Error('missing the k8s\\0 prefix');
    const unknown = decodeMessage('Unknown', body.subarray(magic.length), 'Unknown');
    const typeMeta = (unknown['typeMeta'] ?? {}) as { apiVersion?: string; kind?: string };
    const kind = typeMeta.kind ?? '';
    if (!protobufKinds.includes(kind)) throw new Error(`kind "${kind}" is not decoded from protobuf here`);
    const raw = Buffer.from(String(unknown['raw'] ?? ''), 'base64');
    return { apiVersion: typeMeta.apiVersion, kind, ...decodeMessage(kind, raw, kind) };
  } catch (error) {
    throw badRequest(
      `the body of the request could not be decoded as ${protobufMediaType}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
