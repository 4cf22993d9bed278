import type {
  ConsentWithdrawnV1,
  ContactErasedV1,
  ContactsMergedV1,
  LeadCapturedV2,
  LeadClaimedV2,
  LeadDeletedV1,
  LeadDisqualifiedV2,
  LeadScoredV2,
  LeadSlaBreachedV2,
  SourceConnectionFailedV1,
} from './contracts.js';

/** Sample event details for CRM teams; the tests validate them against the contracts. */
export const sampleLeadCaptured: LeadCapturedV2 = {
  version: '2',
  leadId: 'ld_Xk2v9QmB7sTq4LwZr1aPcD',
  contactId: 'ct_9fQ2mW7xLrB4tZk1sVnYaE',
  source: 'form',
  platformLeadId: 's_3f2b7c1e-8d4a-4c52-9a61-0e7d2f5b9c10',
  isTest: false,
  attribution: {
    source: 'form',
    formId: 'contact',
    formName: 'Contact sales',
    utm: { source: 'google', medium: 'cpc', campaign: 'q4-crm-launch' },
  },
  consents: [
    {
      purpose: 'marketing_email',
      granted: true,
      noticeVersion: '2026-11',
      noticeHash: '5d0ad3e2f3a7c8e1b4f6a9d2c5e8b1f4a7d0c3e6b9f2a5d8c1e4b7a0d3f6c9e2',
      method: 'web_checkbox',
    },
  ],
  timings: {
    platformCreatedAt: '2026-11-30T10:00:00.000Z',
    receivedAt: '2026-11-30T10:00:00.180Z',
    capturedAt: '2026-11-30T10:00:00.420Z',
  },
};

export const sampleLeadScored: LeadScoredV2 = {
  ...sampleLeadCaptured,
  timings: { ...sampleLeadCaptured.timings, scoredAt: '2026-11-30T10:00:00.690Z' },
  score: 86,
  grade: 'A',
  stage: 'account_executive',
  breakdown: {
    fit: 45,
    intent: 25,
    negative: 0,
    completeness: 16,
    reasons: [
      {
        category: 'fit',
        rule: 'seniority-vp-director',
        points: 20,
        reason: 'VP, head or director job title',
      },
      { category: 'fit', rule: 'corporate-email', points: 15, reason: 'Corporate email domain' },
      { category: 'intent', rule: 'paid-campaign', points: 10, reason: 'Came from a paid campaign' },
    ],
  },
  enrichment: {
    emailType: 'corporate',
    phoneCountry: 'US',
    phoneLineType: 'FIXED_LINE_OR_MOBILE',
  },
};

export const sampleSourceConnectionFailed: SourceConnectionFailedV1 = {
  version: '1',
  source: 'meta',
  platformLeadId: '1023456789012345',
  reason: 'token_expired',
  fix:
    'The access token for Meta page 153125381133 has expired or was invalidated. Generate a new long-lived ' +
    'page access token, store it in META_PAGE_TOKENS (or META_PAGE_ACCESS_TOKEN), then replay: ' +
    'npm run replay -- --source meta --status failed',
  pageId: '153125381133',
  formId: '12312312312',
  platformError: { status: 400, code: '190', subcode: '463', type: 'OAuthException', traceId: 'AbCdEf123' },
  occurredAt: '2026-11-30T10:00:01.250Z',
};

export const sampleLeadDeleted: LeadDeletedV1 = {
  version: '1',
  leadId: 'ld_Qm3Tz8vKp1WcR6yHn2bLxA',
  contactId: 'ct_9fQ2mW7xLrB4tZk1sVnYaE',
  source: 'linkedin',
  platformLeadId: '249592fc-d272-44ba-a7db-c2bdce579507-6',
  captured: true,
  formId: '7234246',
  reason: 'deleted_on_platform',
  deletedAt: '2026-11-30T11:15:02.288Z',
  receivedAt: '2026-11-30T11:15:02.910Z',
};

export const sampleConsentWithdrawn: ConsentWithdrawnV1 = {
  version: '1',
  contactId: 'ct_9fQ2mW7xLrB4tZk1sVnYaE',
  purpose: 'marketing_email',
  recordId: 'wd_T4nq8ZcR2vLm0XbK7sPyWd',
  proofHash: '8c1f0e4b7a2d5c9e3f6a1b4d7e0c3f6a9b2e5d8c1f4a7b0e3d6c9f2a5b8e1d4c',
  noticeVersion: '2026-11',
  previouslyGranted: true,
  source: 'privacy_api',
  withdrawnAt: '2026-12-02T09:30:00.000Z',
};

export const sampleContactErased: ContactErasedV1 = {
  version: '1',
  contactId: 'ct_9fQ2mW7xLrB4tZk1sVnYaE',
  mergedContactIds: ['ct_Lq7vN2xP9mZ4kR1tWb8sYc'],
  leadIds: ['ld_Xk2v9QmB7sTq4LwZr1aPcD', 'ld_Qm3Tz8vKp1WcR6yHn2bLxA'],
  erasureId: 'er_Hc5mV0qT8wKz3LpN6xRb2J',
  erasedAt: '2026-12-05T14:00:00.000Z',
};

export const sampleContactsMerged: ContactsMergedV1 = {
  version: '1',
  contactId: 'ct_9fQ2mW7xLrB4tZk1sVnYaE',
  mergedContactId: 'ct_Lq7vN2xP9mZ4kR1tWb8sYc',
  leadIds: ['ld_Qm3Tz8vKp1WcR6yHn2bLxA'],
  matchedOn: ['email', 'phone'],
  mergedAt: '2026-12-01T08:15:00.000Z',
};

const alertedLead = {
  version: '2',
  leadId: sampleLeadScored.leadId,
  contactId: sampleLeadScored.contactId,
  source: sampleLeadScored.source,
  platformLeadId: sampleLeadScored.platformLeadId,
  isTest: false,
  grade: sampleLeadScored.grade,
  score: sampleLeadScored.score,
  attribution: sampleLeadScored.attribution,
} as const;

export const sampleLeadClaimed: LeadClaimedV2 = {
  ...alertedLead,
  timings: {
    ...sampleLeadScored.timings,
    alertedAt: '2026-11-30T10:00:01.020Z',
    claimedAt: '2026-11-30T10:02:41.500Z',
  },
  claimedBy: { slackUserId: 'U0123ABCD' },
  claimedAt: '2026-11-30T10:02:41.500Z',
  secondsToClaim: 161,
};

export const sampleLeadDisqualified: LeadDisqualifiedV2 = {
  ...alertedLead,
  timings: { ...sampleLeadScored.timings, alertedAt: '2026-11-30T10:00:01.020Z' },
  disqualifiedBy: { slackUserId: 'U0123ABCD' },
  disqualifiedAt: '2026-11-30T10:03:12.000Z',
  reason: 'not_a_fit',
};

export const sampleLeadSlaBreached: LeadSlaBreachedV2 = {
  ...alertedLead,
  timings: { ...sampleLeadScored.timings, alertedAt: '2026-11-30T10:00:01.020Z' },
  level: 1,
  slaMinutes: 5,
  dueAt: '2026-11-30T10:05:00.000Z',
  breachedAt: '2026-11-30T10:05:00.640Z',
  escalatedTo: 'C0123SALES',
};

/** The whole EventBridge envelope, as a subscriber receives it. */
export function sampleEnvelope(detailType: string, detail: unknown) {
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': detailType,
    source: 'leadhub',
    account: '123456789012',
    time: '2026-11-30T10:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail,
  };
}
