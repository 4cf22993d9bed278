import { describe, expect, it } from 'vitest';
import {
  ConsentWithdrawnV1Schema,
  ContactErasedV1Schema,
  ContactsMergedV1Schema,
  EventContracts,
} from '../../../events/contracts.js';
import { jsonSchemaFiles } from '../../../events/generate.js';
import {
  sampleConsentWithdrawn,
  sampleContactErased,
  sampleContactsMerged,
} from '../../../events/samples.js';

const contracts = [
  [
    'ConsentWithdrawn',
    ConsentWithdrawnV1Schema,
    sampleConsentWithdrawn,
    ['contactId', 'purpose', 'withdrawnAt'],
  ],
  ['ContactErased', ContactErasedV1Schema, sampleContactErased, ['contactId', 'leadIds', 'erasedAt']],
  [
    'ContactsMerged',
    ContactsMergedV1Schema,
    sampleContactsMerged,
    ['contactId', 'mergedContactId', 'mergedAt'],
  ],
] as const;

describe('privacy and identity events (v1)', () => {
  it.each(contracts)(
    '%s is published with a JSON Schema and a sample that satisfies it',
    (name, schema, sample, ids) => {
      expect(EventContracts[name]).toBe(schema);
      expect(schema.parse(sample)).toEqual(sample);
      const files = jsonSchemaFiles();
      const json = JSON.parse(files[`schemas/${name}.v1.json`] as string);
      expect(json.required).toEqual(expect.arrayContaining(['version', ...ids]));
      expect(JSON.parse(files[`samples/${name}.v1.json`] as string)).toMatchObject({
        source: 'leadhub',
        'detail-type': name,
        detail: sample,
      });
    },
  );

  it.each(contracts)(
    '%s carries no PII: an email, phone or name field is rejected',
    (_name, schema, sample) => {
      for (const pii of [{ email: 'jane@acme.io' }, { phone: '+14155552671' }, { fullName: 'Jane Doe' }]) {
        expect(schema.safeParse({ ...sample, ...pii }).success).toBe(false);
      }
      expect(schema.safeParse({ ...sample, version: '2' }).success).toBe(false);
    },
  );

  it('rejects a merge that matched on an unknown kind, and a withdrawal from another source', () => {
    expect(ContactsMergedV1Schema.safeParse({ ...sampleContactsMerged, matchedOn: ['name'] }).success).toBe(
      false,
    );
    expect(ConsentWithdrawnV1Schema.safeParse({ ...sampleConsentWithdrawn, source: 'form' }).success).toBe(
      false,
    );
    const { leadIds: _l, ...withoutLeads } = sampleContactErased;
    expect(ContactErasedV1Schema.safeParse(withoutLeads).success).toBe(false);
  });
});
