/**
 * Builds the protobuf JSON descriptors that the remote-write and OTLP decoders load (protobufjs reflection), from
 * the official .proto files in shared/domain/telemetry/proto (OTLP's in proto/otlp). Run `npm run proto` after
 * changing a .proto file; test/unit/telemetry/remote-write.test.ts and otlp.test.ts fail while a committed
 * descriptor differs from its .proto files.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

export const PROTO_DIR = fileURLToPath(new URL('../../shared/domain/telemetry/proto/', import.meta.url));
export const DESCRIPTOR = `${PROTO_DIR}remote-write.json`;
export const OTLP_DESCRIPTOR = `${PROTO_DIR}otlp.json`;
export const DATADOG_DESCRIPTOR = `${PROTO_DIR}datadog.json`;

/** The descriptor of remote.proto and what it imports, as protobufjs's JSON (stable key order). */
export function descriptorJson(): string {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => `${PROTO_DIR}${target.replace(/^.*\//, '')}`;
  root.loadSync('remote.proto', { keepCase: true });
  return `${JSON.stringify(root.toJSON(), null, 2)}\n`;
}

/**
 * The descriptor of OTLP's metrics_service.proto and what it imports, field names in lowerCamelCase: the names
 * OTLP/JSON uses, so that one reflected type decodes both encodings (protobufjs `decode` and `fromObject`).
 */
export function otlpDescriptorJson(): string {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => `${PROTO_DIR}otlp/${target.replace(/^.*\//, '')}`;
  root.loadSync('metrics_service.proto', { keepCase: false });
  return `${JSON.stringify(root.toJSON(), null, 2)}\n`;
}

/** The descriptor of the Datadog Agent's MetricPayload (agent_payload.proto), field names as in the file. */
export function datadogDescriptorJson(): string {
  const root = new protobuf.Root();
  root.loadSync(`${PROTO_DIR}datadog/agent_payload.proto`, { keepCase: true });
  return `${JSON.stringify(root.toJSON(), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(DESCRIPTOR, descriptorJson());
  writeFileSync(OTLP_DESCRIPTOR, otlpDescriptorJson());
  writeFileSync(DATADOG_DESCRIPTOR, datadogDescriptorJson());
  console.log(`wrote ${DESCRIPTOR}, ${OTLP_DESCRIPTOR} and ${DATADOG_DESCRIPTOR}`);
}
