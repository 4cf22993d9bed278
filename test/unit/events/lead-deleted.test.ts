import { describe, expect, it } from 'vitest';
import { EventContracts, LeadDeletedV1Schema } from '../../../events/contracts.js';
import { jsonSchemaFiles } from '../../../events/generate.js';
import { sampleLeadDeleted } from '../../../events/samples.js';

describe('LeadDeleted v1', () => {
  it('is a published contract with a schema and a sample that satisfies it', () => {
    expect(EventContracts.LeadDeleted).toBe(LeadDeletedV1Schema);
    expect(LeadDeletedV1Schema.parse(sampleLeadDeleted)).toEqual(sampleLeadDeleted);
    const files = jsonSchemaFiles();
    expect(Object.keys(files)).toEqual(
      expect.arrayContaining(['schemas/LeadDeleted.v1.json', 'samples/LeadDeleted.v1.json']),
    );
    const schema = JSON.parse(files['schemas/LeadDeleted.v1.json'] as string);
    expect(schema.required).toEqual(
      expect.arrayContaining([
        'version',
        'leadId',
        'source',
        'platformLeadId',
        'captured',
        'reason',
        'deletedAt',
      ]),
    );
  });

  it('takes a tombstone (never captured: no contact id) and rejects extra fields, other versions and reasons', () => {
    const { contactId: _c, ...tombstone } = sampleLeadDeleted;
    expect(LeadDeletedV1Schema.safeParse({ ...tombstone, captured: false }).success).toBe(true);
    expect(LeadDeletedV1Schema.safeParse({ ...sampleLeadDeleted, email: 'a@b.c' }).success).toBe(false);
    expect(LeadDeletedV1Schema.safeParse({ ...sampleLeadDeleted, version: '2' }).success).toBe(false);
    expect(LeadDeletedV1Schema.safeParse({ ...sampleLeadDeleted, reason: 'oops' }).success).toBe(false);
    const { leadId: _l, ...withoutLead } = sampleLeadDeleted;
    expect(LeadDeletedV1Schema.safeParse(withoutLead).success).toBe(false);
  });
});
