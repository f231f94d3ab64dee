// The protobuf decoder on hand-made bodies: field numbers, maps, zero values, and the errors.
import { decodeKubernetesProtobuf } from './protobuf.js';
import { StatusFailure } from './status.js';

/** A length-delimited field (all test fields are shorter than 128 bytes). */
const field = (number: number, bytes: Buffer | string): Buffer => {
  const value = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  return Buffer.concat([Buffer.from([(number << 3) | 2, value.length]), value]);
};
const varint = (number: number, value: number): Buffer => Buffer.from([number << 3, value]);

function envelope(apiVersion: string, kind: string, raw: Buffer): Buffer {
  const typeMeta = Buffer.concat([field(1, apiVersion), field(2, kind)]);
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), field(1, typeMeta), field(2, raw)]);
}

test('a Namespace with a label; Go-encoded empty fields are left out as JSON does', () => {
  const metadata = Buffer.concat([
    field(1, 'shop'),
    field(2, ''),
    varint(7, 0),
    field(11, Buffer.concat([field(1, 'team'), field(2, 'a')])),
  ]);
  const body = envelope('v1', 'Namespace', Buffer.concat([field(1, metadata), field(2, ''), field(3, '')]));
  expect(decodeKubernetesProtobuf(body)).toEqual({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'shop', labels: { team: 'a' } },
    spec: {},
    status: {},
  });
});

test('Secret data stays base64 (bytes), a Service port keeps its int-or-string targetPort', () => {
  const secret = envelope(
    'v1',
    'Secret',
    Buffer.concat([field(1, field(1, 's')), field(2, Buffer.concat([field(1, 'k'), field(2, 'v')]))]),
  );
  expect(decodeKubernetesProtobuf(secret)).toMatchObject({
    data: { k: Buffer.from('v').toString('base64') },
  });
  const port = Buffer.concat([
    field(1, 'http'),
    varint(3, 80),
    field(4, Buffer.concat([varint(1, 1), field(3, 'web')])),
  ]);
  const service = envelope(
    'v1',
    'Service',
    Buffer.concat([field(1, field(1, 'w')), field(2, field(1, port))]),
  );
  expect(decodeKubernetesProtobuf(service)).toMatchObject({
    spec: { ports: [{ name: 'http', port: 80, targetPort: 'web' }] },
  });
});

test.each([
  ['no envelope', Buffer.from('{}'), 'missing the k8s\\0 prefix'],
  [
    'a kind not decoded here',
    envelope('v1', 'Pod', Buffer.alloc(0)),
    'kind "Pod" is not decoded from protobuf here',
  ],
  [
    'an unknown field',
    envelope('v1', 'Namespace', field(1, field(15, 'x'))),
    'Namespace.metadata: field number 15 is not known',
  ],
])('%s is a 400 that says why', (_name, body, message) => {
  let thrown: unknown;
  try {
    decodeKubernetesProtobuf(body);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(StatusFailure);
  expect((thrown as StatusFailure).status).toMatchObject({ code: 400 });
  expect((thrown as StatusFailure).status.message).toContain(message);
});
