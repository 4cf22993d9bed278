import { describe, expect, it } from 'vitest';
import { EventContracts, SourceConnectionFailedV1Schema } from '../../../events/contracts.js';
import { jsonSchemaFiles } from '../../../events/generate.js';
import { sampleSourceConnectionFailed } from '../../../events/samples.js';

describe('SourceConnectionFailed v1', () => {
  it('is a published contract with a sample that satisfies it', () => {
    expect(EventContracts.SourceConnectionFailed).toBe(SourceConnectionFailedV1Schema);
    expect(SourceConnectionFailedV1Schema.parse(sampleSourceConnectionFailed)).toEqual(
      sampleSourceConnectionFailed,
    );
    const files = jsonSchemaFiles();
    expect(Object.keys(files)).toEqual(
      expect.arrayContaining([
        'schemas/SourceConnectionFailed.v1.json',
        'samples/SourceConnectionFailed.v1.json',
      ]),
    );
    const schema = JSON.parse(files['schemas/SourceConnectionFailed.v1.json'] as string);
    expect(schema.required).toEqual(
      expect.arrayContaining(['version', 'source', 'platformLeadId', 'reason', 'fix', 'occurredAt']),
    );
  });

  it('rejects unknown reasons, other versions and extra fields (no room for PII)', () => {
    expect(
      SourceConnectionFailedV1Schema.safeParse({ ...sampleSourceConnectionFailed, reason: 'oops' }).success,
    ).toBe(false);
    expect(
      SourceConnectionFailedV1Schema.safeParse({ ...sampleSourceConnectionFailed, version: '2' }).success,
    ).toBe(false);
    expect(
      SourceConnectionFailedV1Schema.safeParse({ ...sampleSourceConnectionFailed, email: 'a@b.c' }).success,
    ).toBe(false);
    const { fix: _fix, ...withoutFix } = sampleSourceConnectionFailed;
    expect(SourceConnectionFailedV1Schema.safeParse(withoutFix).success).toBe(false);
  });
});
