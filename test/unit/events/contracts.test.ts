import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventContracts, LeadCapturedV2Schema, LeadScoredV2Schema } from '../../../events/contracts.js';
import { jsonSchemaFiles, publishedFiles } from '../../../events/generate.js';
import { Patterns } from '../../../events/patterns.js';
import { sampleLeadCaptured, sampleLeadScored } from '../../../events/samples.js';
import { CONTACT_FIELDS } from '../../../lib/lead/model.js';
import * as z from '../../../lib/zod.js';

/** Every property name anywhere in a JSON Schema (nested objects, arrays and records included). */
function propertyNames(schema: unknown): string[] {
  if (Array.isArray(schema)) return schema.flatMap(propertyNames);
  if (typeof schema !== 'object' || schema === null) return [];
  const own = Object.keys((schema as { properties?: object }).properties ?? {});
  return [...own, ...Object.values(schema).flatMap(propertyNames)];
}

const eventsDir = join(import.meta.dirname, '../../../events');

describe('event contracts', () => {
  it('publishes JSON Schema and sample files that match the zod contracts (run `npm run schemas` after a change)', () => {
    for (const [name, content] of Object.entries(jsonSchemaFiles())) {
      expect(readFileSync(join(eventsDir, name), 'utf8'), name).toBe(content);
    }
    // A bumped version replaces its contract: no file of a version the hub no longer publishes.
    expect(publishedFiles().sort()).toEqual(Object.keys(jsonSchemaFiles()).sort());
  });

  it('gives no event a field for the person: ids and non-personal fields only', () => {
    const personal = [
      ...CONTACT_FIELDS,
      'contact',
      'answers',
      'landingUrl',
      'referrer',
      'clickIds',
      'pageUrl',
      'ip',
      'userAgent',
      'emailDomain',
      'companyDomain',
    ];
    for (const [detailType, schema] of Object.entries(EventContracts)) {
      const names = propertyNames(z.toJSONSchema(schema, { io: 'output' }));
      expect(
        names.filter((n) => personal.includes(n)),
        detailType,
      ).toEqual([]);
    }
  });

  it('publishes the lead and alert-loop events at version 2', () => {
    const files = Object.keys(jsonSchemaFiles());
    for (const name of ['LeadCaptured', 'LeadScored', 'LeadClaimed', 'LeadDisqualified', 'LeadSlaBreached']) {
      expect(files).toContain(`schemas/${name}.v2.json`);
      expect(files).toContain(`samples/${name}.v2.json`);
      expect(files).not.toContain(`schemas/${name}.v1.json`);
    }
  });

  it('has samples that satisfy the contracts', () => {
    expect(LeadCapturedV2Schema.parse(sampleLeadCaptured)).toEqual(sampleLeadCaptured);
    expect(LeadScoredV2Schema.parse(sampleLeadScored)).toEqual(sampleLeadScored);
  });

  it('rejects a detail with a missing id, an unknown version or an extra field', () => {
    const { leadId: _dropped, ...withoutId } = sampleLeadCaptured;
    expect(LeadCapturedV2Schema.safeParse(withoutId).success).toBe(false);
    expect(LeadCapturedV2Schema.safeParse({ ...sampleLeadCaptured, version: '1' }).success).toBe(false);
    expect(
      LeadCapturedV2Schema.safeParse({ ...sampleLeadCaptured, contact: { email: 'jane@acme.io' } }).success,
    ).toBe(false);
    expect(LeadCapturedV2Schema.safeParse({ ...sampleLeadCaptured, extra: 1 }).success).toBe(false);
    expect(LeadScoredV2Schema.safeParse({ ...sampleLeadScored, score: 101 }).success).toBe(false);
  });

  it('requires ids and attribution in the published schema', () => {
    const schema = JSON.parse(jsonSchemaFiles()['schemas/LeadCaptured.v2.json'] as string);
    expect(schema.required).toEqual(
      expect.arrayContaining(['version', 'leadId', 'contactId', 'attribution', 'timings']),
    );
  });

  it('routes on source leadhub and the detail-type', () => {
    expect(Patterns.leadCapturedToEnrich).toEqual({ source: ['leadhub'], 'detail-type': ['LeadCaptured'] });
    expect(Patterns.leadScoredToSlack).toEqual({ source: ['leadhub'], 'detail-type': ['LeadScored'] });
  });
});
