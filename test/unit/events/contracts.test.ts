import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LeadCapturedV1Schema, LeadScoredV1Schema } from '../../../events/contracts.js';
import { jsonSchemaFiles } from '../../../events/generate.js';
import { Patterns } from '../../../events/patterns.js';
import { sampleLeadCaptured, sampleLeadScored } from '../../../events/samples.js';

const eventsDir = join(import.meta.dirname, '../../../events');

describe('event contracts', () => {
  it('publishes JSON Schema and sample files that match the zod contracts (run `npm run schemas` after a change)', () => {
    for (const [name, content] of Object.entries(jsonSchemaFiles())) {
      expect(readFileSync(join(eventsDir, name), 'utf8'), name).toBe(content);
    }
  });

  it('has samples that satisfy the contracts', () => {
    expect(LeadCapturedV1Schema.parse(sampleLeadCaptured)).toEqual(sampleLeadCaptured);
    expect(LeadScoredV1Schema.parse(sampleLeadScored)).toEqual(sampleLeadScored);
  });

  it('rejects a detail with a missing id, an unknown version or an extra field', () => {
    const { leadId: _dropped, ...withoutId } = sampleLeadCaptured;
    expect(LeadCapturedV1Schema.safeParse(withoutId).success).toBe(false);
    expect(LeadCapturedV1Schema.safeParse({ ...sampleLeadCaptured, version: '2' }).success).toBe(false);
    expect(LeadCapturedV1Schema.safeParse({ ...sampleLeadCaptured, extra: 1 }).success).toBe(false);
    expect(LeadScoredV1Schema.safeParse({ ...sampleLeadScored, score: 101 }).success).toBe(false);
  });

  it('requires ids and attribution in the published schema', () => {
    const schema = JSON.parse(jsonSchemaFiles()['schemas/LeadCaptured.v1.json'] as string);
    expect(schema.required).toEqual(
      expect.arrayContaining(['version', 'leadId', 'contactId', 'attribution', 'timings']),
    );
  });

  it('routes on source leadhub and the detail-type', () => {
    expect(Patterns.leadCapturedToEnrich).toEqual({ source: ['leadhub'], 'detail-type': ['LeadCaptured'] });
    expect(Patterns.leadScoredToSlack).toEqual({ source: ['leadhub'], 'detail-type': ['LeadScored'] });
  });
});
