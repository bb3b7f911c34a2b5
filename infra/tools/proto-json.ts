/**
 * Builds the protobuf JSON descriptor that the remote-write decoder loads (protobufjs reflection), from the
 * official .proto files in shared/domain/telemetry/proto. Run `npm run proto` after changing a .proto file;
 * test/unit/telemetry/remote-write.test.ts fails while the committed descriptor differs from the .proto files.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

export const PROTO_DIR = fileURLToPath(new URL('../../shared/domain/telemetry/proto/', import.meta.url));
export const DESCRIPTOR = `${PROTO_DIR}remote-write.json`;

/** The descriptor of remote.proto and what it imports, as protobufjs's JSON (stable key order). */
export function descriptorJson(): string {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => `${PROTO_DIR}${target.replace(/^.*\//, '')}`;
  root.loadSync('remote.proto', { keepCase: true });
  return `${JSON.stringify(root.toJSON(), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(DESCRIPTOR, descriptorJson());
  console.log(`wrote ${DESCRIPTOR}`);
}
