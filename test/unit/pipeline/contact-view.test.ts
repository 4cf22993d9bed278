import { describe, expect, it } from 'vitest';
import { withdrawalRecord } from '../../../lib/consent/ledger.js';
import { contactDetails, contactTimeline } from '../../../lib/pipeline/contact-view.js';
import type { ContactView, StoredLead } from '../../../lib/ports.js';

const lead = (
  id: string,
  source: StoredLead['source'],
  at: string,
  extra: Partial<StoredLead> = {},
): StoredLead => ({
  leadId: id,
  contactId: 'ct_1',
  source,
  platformLeadId: `p_${id}`,
  platformCreatedAt: at,
  receivedAt: at,
  capturedAt: at,
  email: 'jane@acme.io',
  answers: [{ key: 'budget', values: ['10k'] }],
  attribution: { source, formId: `f_${source}`, campaignName: `${source} campaign`, utm: {} },
  consents: [],
  context: {},
  isTest: false,
  ...extra,
});

describe('contact timeline', () => {
  const view: ContactView = {
    profile: {
      contactId: 'ct_1',
      createdAt: '2026-11-01T00:00:00.000Z',
      updatedAt: '2026-11-03T00:00:00.000Z',
      leadCount: 3,
      lastLeadAt: '2026-11-03T00:00:00.000Z',
      sources: ['form', 'linkedin', 'meta'],
    },
    leads: [
      lead('ld_3', 'form', '2026-11-03T00:00:00.000Z'),
      lead('ld_1', 'meta', '2026-11-01T00:00:00.000Z', { deletedAt: '2026-11-05T00:00:00.000Z' }),
      lead('ld_2', 'linkedin', '2026-11-02T00:00:00.000Z'),
    ],
    consents: [
      withdrawalRecord({
        contactId: 'ct_1',
        purpose: 'marketing_email',
        at: '2026-11-04T00:00:00.000Z',
        requestId: 'r',
      }),
    ],
    merges: [
      {
        survivorId: 'ct_1',
        mergedId: 'ct_2',
        mergedAt: '2026-11-02T12:00:00.000Z',
        matchedOn: ['email', 'phone'],
        leadIds: ['ld_2'],
      },
    ],
  };

  it('lists touches across platforms, withdrawals and merges, oldest first, without answers', () => {
    const timeline = contactTimeline(view);
    expect(timeline.map((e) => [e.kind, 'source' in e ? e.source : undefined])).toEqual([
      ['lead', 'meta'],
      ['lead', 'linkedin'],
      ['merged', undefined],
      ['lead', 'form'],
      ['consent_withdrawn', undefined],
    ]);
    expect(timeline[0]).toMatchObject({
      leadId: 'ld_1',
      formId: 'f_meta',
      campaignName: 'meta campaign',
      deleted: true,
    });
    expect(timeline[2]).toMatchObject({ mergedContactId: 'ct_2', leadIds: ['ld_2'] });
    expect(JSON.stringify(timeline)).not.toContain('jane@acme.io');
    expect(JSON.stringify(timeline)).not.toContain('10k');
  });

  it('adds the consent state and the timeline to the contact view', () => {
    const details = contactDetails(view);
    expect(details.consentState).toEqual([
      expect.objectContaining({ purpose: 'marketing_email', granted: false, method: 'withdrawal' }),
    ]);
    expect(details.timeline).toHaveLength(5);
    expect(details.leads).toHaveLength(3);
  });
});
