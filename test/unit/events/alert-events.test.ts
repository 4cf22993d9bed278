import { describe, expect, it } from 'vitest';
import {
  EventContracts,
  LeadClaimedV2Schema,
  LeadDisqualifiedV2Schema,
  LeadSlaBreachedV2Schema,
  TimingsSchema,
} from '../../../events/contracts.js';
import { jsonSchemaFiles } from '../../../events/generate.js';
import { sampleLeadClaimed, sampleLeadDisqualified, sampleLeadSlaBreached } from '../../../events/samples.js';

describe('alert-loop event contracts', () => {
  it('are published with schemas and samples', () => {
    const files = jsonSchemaFiles();
    for (const name of ['LeadClaimed', 'LeadDisqualified', 'LeadSlaBreached']) {
      expect(Object.keys(EventContracts)).toContain(name);
      const schema = JSON.parse(files[`schemas/${name}.v2.json`] as string);
      expect(schema.required).toEqual(
        expect.arrayContaining(['version', 'leadId', 'contactId', 'source', 'attribution', 'timings']),
      );
      const sample = JSON.parse(files[`samples/${name}.v2.json`] as string);
      expect(sample['detail-type']).toBe(name);
    }
  });

  it('accept their samples and reject what breaks them', () => {
    expect(LeadClaimedV2Schema.parse(sampleLeadClaimed)).toEqual(sampleLeadClaimed);
    expect(LeadDisqualifiedV2Schema.parse(sampleLeadDisqualified)).toEqual(sampleLeadDisqualified);
    expect(LeadSlaBreachedV2Schema.parse(sampleLeadSlaBreached)).toEqual(sampleLeadSlaBreached);
    expect(LeadClaimedV2Schema.safeParse({ ...sampleLeadClaimed, claimedBy: {} }).success).toBe(false);
    expect(LeadClaimedV2Schema.safeParse({ ...sampleLeadClaimed, secondsToClaim: -1 }).success).toBe(false);
    expect(LeadDisqualifiedV2Schema.safeParse({ ...sampleLeadDisqualified, reason: 'spam' }).success).toBe(
      false,
    );
    expect(LeadSlaBreachedV2Schema.safeParse({ ...sampleLeadSlaBreached, level: 0 }).success).toBe(false);
    expect(LeadSlaBreachedV2Schema.safeParse({ ...sampleLeadSlaBreached, email: 'x@y.z' }).success).toBe(
      false,
    );
  });

  it('carry no PII: ids, grading, campaign attribution and the clock only', () => {
    for (const sample of [sampleLeadClaimed, sampleLeadDisqualified, sampleLeadSlaBreached]) {
      expect(JSON.stringify(sample)).not.toMatch(/@|jane|\+1415/i);
    }
  });

  it('timings take alertedAt and claimedAt, as ISO times', () => {
    const base = { platformCreatedAt: '2026-01-05T10:00:00.000Z', receivedAt: '2026-01-05T10:00:01.000Z' };
    expect(
      TimingsSchema.safeParse({
        ...base,
        alertedAt: '2026-01-05T10:00:02.000Z',
        claimedAt: '2026-01-05T10:03:00Z',
      }).success,
    ).toBe(true);
    expect(TimingsSchema.safeParse({ ...base, claimedAt: 'soon' }).success).toBe(false);
  });
});
