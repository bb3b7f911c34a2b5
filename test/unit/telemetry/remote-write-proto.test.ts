import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DESCRIPTOR, descriptorJson } from '../../../infra/tools/proto-json.js';

describe('the remote-write decoder’s descriptor', () => {
  it('is the one generated from the official .proto files (run `npm run proto` after changing them)', () => {
    // Compared as data: the formatter may lay the committed file out differently.
    expect(JSON.parse(readFileSync(DESCRIPTOR, 'utf8'))).toEqual(JSON.parse(descriptorJson()));
  });
});
