import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { LeadScoredV2Schema } from '../../../events/contracts.js';
import { createEnrichWorker } from '../../../lib/handlers/enrich-worker.js';
import {
  enrichAndScore,
  InvalidEventError,
  parseLeadCapturedBody,
} from '../../../lib/pipeline/enrich-score.js';
import { LeadNotStoredError } from '../../../lib/pipeline/event-lead.js';
import { thrownBy } from '../../support/thrown.js';
import { capturedLead, fakeDeps, fakeLogger, storedLead } from '../scoring/fixtures.js';

/** The EventBridge event as the rule's SQS target delivers it. */
function eventBody(detail: unknown, detailType = 'LeadCaptured'): string {
  return JSON.stringify({
    version: '0',
    id: 'evt-1',
    'detail-type': detailType,
    source: 'leadhub',
    account: '123456789012',
    time: '2026-01-05T10:00:02Z',
    region: 'eu-west-1',
    resources: [],
    detail,
  });
}

function record(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1767607202000',
      SenderId: 'AIDA',
      ApproximateFirstReceiveTimestamp: '1767607202000',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:leadhub-enrich',
    awsRegion: 'eu-west-1',
  };
}

const sqs = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

/** fakeDeps whose store holds the lead of capturedLead(overrides), as capture left it. */
function depsWith(
  overrides: Parameters<typeof storedLead>[0] = {},
  more: Parameters<typeof fakeDeps>[0] = {},
) {
  const deps = fakeDeps(more);
  deps.store.addLead(storedLead(overrides));
  return deps;
}

describe('enrichAndScore', () => {
  it('reads the person from the store once, saves the score and publishes a LeadScored without them', async () => {
    const jane = {
      contact: {
        email: 'jane@acme-widgets.com',
        fullName: 'Jane Smith',
        jobTitle: 'CEO',
        phone: '+447400123456',
      },
    };
    const deps = depsWith(jane);
    const lead = capturedLead(jane);
    const result = await enrichAndScore(deps, lead);
    if (result.status !== 'scored') throw new Error(`not scored: ${result.status}`);
    const scored = result.detail;
    expect(deps.store.leadReads).toEqual([
      { leadId: 'lead-1', contactId: 'contact-1', platformCreatedAt: '2026-01-05T10:00:00.000Z' },
    ]);

    expect(deps.store.scores).toHaveLength(1);
    const saved = deps.store.scores[0];
    expect(saved?.lead).toEqual({
      leadId: 'lead-1',
      contactId: 'contact-1',
      platformCreatedAt: '2026-01-05T10:00:00.000Z',
    });
    expect(saved?.score).toMatchObject({ score: scored.score, grade: scored.grade, stage: scored.stage });
    expect(saved?.score.scoredAt).toBe('2026-01-05T10:07:30.000Z');
    // The store keeps the whole enrichment (an erasure strips it); the event only its classes.
    expect(saved?.score.enrichment).toEqual({
      emailDomain: 'acme-widgets.com',
      emailType: 'corporate',
      companyDomain: 'acme-widgets.com',
      phoneCountry: 'GB',
      phoneLineType: 'MOBILE',
    });

    expect(deps.bus.published).toHaveLength(1);
    const event = deps.bus.published[0];
    expect(event?.detailType).toBe('LeadScored');
    const detail = LeadScoredV2Schema.parse(event?.detail);
    expect(detail).toEqual(scored);
    expect(detail.timings).toEqual({ ...lead.timings, scoredAt: '2026-01-05T10:07:30.000Z' });
    expect(detail.enrichment).toEqual({
      emailType: 'corporate',
      phoneCountry: 'GB',
      phoneLineType: 'MOBILE',
    });
    expect(JSON.stringify(detail)).not.toMatch(/jane|smith|acme|7400123456|ceo/i);
    // CEO 25 + corporate 15 + GB 10 + phone 5 + name 5 + title 5.
    expect(detail.score).toBe(65);
    expect(detail.breakdown.reasons.map((r) => r.rule)).toEqual([
      'seniority-executive',
      'corporate-email',
      'target-country',
      'has-phone',
      'has-name',
      'has-job-title',
    ]);
  });

  it('uses the scoring section of the config', async () => {
    const deps = depsWith();
    deps.config = {
      ...deps.config,
      scoring: {
        ...deps.config.scoring,
        rules: [
          {
            id: 'all',
            category: 'fit',
            points: 90,
            reason: 'All',
            when: { kind: 'fieldsPresent', fields: ['email'] },
          },
        ],
      },
    };
    const result = await enrichAndScore(deps, capturedLead());
    expect(result).toMatchObject({ detail: { score: 90, grade: 'A', stage: 'account_executive' } });
  });

  it('is idempotent in effect on redelivery: same score, saved again (overwrite)', async () => {
    const deps = depsWith();
    const a = await enrichAndScore(deps, capturedLead());
    const b = await enrichAndScore(deps, capturedLead());
    expect(b).toEqual(a);
    expect(deps.store.scores).toHaveLength(2);
  });

  it('scores the lead where a merge moved it, and says so on LeadScored', async () => {
    const deps = fakeDeps();
    deps.store.addLead(storedLead({ contactId: 'contact-older' }));
    const result = await enrichAndScore(deps, capturedLead({ contactId: 'contact-1' }));
    expect(deps.store.scores[0]?.lead.contactId).toBe('contact-older');
    expect(result).toMatchObject({ status: 'scored', detail: { contactId: 'contact-older' } });
  });

  it.each([
    ['erased', 'erased'],
    ['deleted on its platform', 'deleted_on_platform'],
  ] as const)(
    'skips a lead %s since it was captured: no score, no event, no retry',
    async (_name, reason) => {
      const deps = fakeDeps();
      deps.store.addLead({ ...storedLead(), deletedAt: '2026-01-05T10:05:00.000Z', deletedReason: reason });
      await expect(enrichAndScore(deps, capturedLead())).resolves.toEqual({ status: 'skipped', reason });
      expect(deps.store.scores).toHaveLength(0);
      expect(deps.bus.published).toHaveLength(0);
    },
  );

  it('throws for a lead the store does not hold, so the queue retries, and publishes nothing', async () => {
    const deps = fakeDeps();
    await expect(enrichAndScore(deps, capturedLead())).rejects.toBeInstanceOf(LeadNotStoredError);
    expect(deps.bus.published).toHaveLength(0);
  });

  it('rejects an off-contract detail (a v1 event too) as an InvalidEventError and publishes nothing', async () => {
    const deps = depsWith();
    const bad = { ...capturedLead(), version: '1' } as unknown as ReturnType<typeof capturedLead>;
    await expect(enrichAndScore(deps, bad)).rejects.toBeInstanceOf(InvalidEventError);
    expect(deps.store.scores).toHaveLength(0);
    expect(deps.store.leadReads).toHaveLength(0);
    expect(deps.bus.published).toHaveLength(0);
  });

  it('does not publish when saving fails', async () => {
    const deps = depsWith();
    deps.store.failSaveScore = true;
    await expect(enrichAndScore(deps, capturedLead())).rejects.toThrow('store unavailable');
    expect(deps.bus.published).toHaveLength(0);
  });
});

describe('parseLeadCapturedBody', () => {
  it('returns the detail of a LeadCaptured EventBridge event', () => {
    expect(parseLeadCapturedBody(eventBody(capturedLead()))).toEqual(capturedLead());
  });

  it.each([
    ['not JSON', '{oops'],
    ['JSON but not an event', '"hello"'],
    ['no detail', JSON.stringify({ 'detail-type': 'LeadCaptured' })],
    ['another detail-type', eventBody(capturedLead(), 'LeadScored')],
    ['detail missing a field', eventBody({ ...capturedLead(), leadId: undefined })],
    ['detail with an unknown field', eventBody({ ...capturedLead(), extra: 1 })],
  ])('rejects %s', (_name, body) => {
    expect(() => parseLeadCapturedBody(body)).toThrow(InvalidEventError);
  });

  it('reports field paths, never values', () => {
    const error = thrownBy(() =>
      parseLeadCapturedBody(eventBody({ ...capturedLead(), timings: { platformCreatedAt: 'jane@x.io' } })),
    );
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as InvalidEventError).issues).toEqual([
      'timings.platformCreatedAt: invalid_format',
      'timings.receivedAt: invalid_type',
    ]);
  });
});

describe('createEnrichWorker', () => {
  it('processes a valid record and reports no failures', async () => {
    const deps = depsWith();
    const result = await createEnrichWorker(deps)(sqs(record('m1', eventBody(capturedLead()))));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(deps.bus.published).toHaveLength(1);
  });

  it('reports an invalid record (a v1 event with the person) as a failure, logging its messageId and no PII', async () => {
    const log = fakeLogger();
    const deps = depsWith({}, { logger: log.logger });
    const v1 = {
      ...capturedLead(),
      version: '1',
      contact: { email: 'secret.person@example.org', fullName: 'Secret Person' },
    };
    const invalid = eventBody(v1);
    const result = await createEnrichWorker(deps)(sqs(record('bad-1', invalid)));
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad-1' }] });
    expect(deps.bus.published).toHaveLength(0);
    const errors = log.entries.filter((e) => e.level === 'error');
    expect(errors).toHaveLength(1);
    expect(log.text()).toContain('bad-1');
    expect(log.text()).not.toMatch(/secret|Secret Person/);
  });

  it('fails only the bad records of a mixed batch', async () => {
    const deps = depsWith({ leadId: 'lead-a' });
    deps.store.addLead(storedLead({ leadId: 'lead-b' }));
    const result = await createEnrichWorker(deps)(
      sqs(
        record('ok-1', eventBody(capturedLead({ leadId: 'lead-a' }))),
        record('bad-1', '{not json'),
        record('ok-2', eventBody(capturedLead({ leadId: 'lead-b' }))),
        record('bad-2', eventBody({ leadId: 'lead-c' })),
      ),
    );
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['bad-1', 'bad-2']);
    expect(deps.bus.published.map((e) => (e.detail as { leadId: string }).leadId).sort()).toEqual([
      'lead-a',
      'lead-b',
    ]);
  });

  it('reports a transient failure (bus down) so SQS redelivers, and logs the lead id', async () => {
    const log = fakeLogger();
    const deps = depsWith({}, { logger: log.logger });
    deps.bus.fail = true;
    const result = await createEnrichWorker(deps)(sqs(record('m1', eventBody(capturedLead()))));
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    const warn = log.entries.find((e) => e.level === 'warn');
    expect(warn?.attrs[0]).toMatchObject({ messageId: 'm1', leadId: 'lead-1' });
    expect(log.text()).not.toContain('jane.smith@acme-widgets.com');
  });

  it('acknowledges the record of a lead erased since, without scoring it', async () => {
    const log = fakeLogger();
    const deps = fakeDeps({ logger: log.logger });
    deps.store.addLead({ ...storedLead(), deletedAt: '2026-01-05T10:05:00.000Z', deletedReason: 'erased' });
    const result = await createEnrichWorker(deps)(sqs(record('m1', eventBody(capturedLead()))));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(deps.bus.published).toHaveLength(0);
    expect(log.entries.find((e) => e.level === 'info')?.attrs[0]).toEqual({
      messageId: 'm1',
      leadId: 'lead-1',
      reason: 'erased',
    });
  });

  it('keeps no state between invocations', async () => {
    const deps = depsWith();
    const worker = createEnrichWorker(deps);
    const first = await worker(sqs(record('bad-1', '{')));
    const second = await worker(sqs(record('ok-1', eventBody(capturedLead()))));
    expect(first.batchItemFailures).toHaveLength(1);
    expect(second).toEqual({ batchItemFailures: [] });
  });
});
