import { type ConsentStateEntry, consentState, ledgerOrder } from '../consent/ledger.js';
import type { Source } from '../lead/model.js';
import type { ConsentRecord, ContactView, MergeRecord, StoredLead } from '../ports.js';

/** One touch or event in a person's history, across platforms. No answers: those are on the leads. */
export type TimelineEntry =
  | {
      at: string;
      kind: 'lead';
      source: Source;
      leadId: string;
      isTest: boolean;
      formId?: string;
      formName?: string;
      campaignName?: string;
      adName?: string;
      platform?: string;
      utmSource?: string;
      score?: number;
      grade?: string;
      /** The lead's data was removed (deleted on the platform). */
      deleted?: boolean;
    }
  | { at: string; kind: 'consent_withdrawn'; purpose: string; recordId?: string }
  | { at: string; kind: 'merged'; mergedContactId: string; leadIds: string[] };

function leadEntry(lead: StoredLead): TimelineEntry {
  const a = lead.attribution;
  return {
    at: lead.platformCreatedAt,
    kind: 'lead',
    source: lead.source,
    leadId: lead.leadId,
    isTest: lead.isTest,
    ...(a.formId ? { formId: a.formId } : {}),
    ...(a.formName ? { formName: a.formName } : {}),
    ...(a.campaignName ? { campaignName: a.campaignName } : {}),
    ...(a.adName ? { adName: a.adName } : {}),
    ...(a.platform ? { platform: a.platform } : {}),
    ...(a.utm.source ? { utmSource: a.utm.source } : {}),
    ...(lead.scoring ? { score: lead.scoring.score, grade: lead.scoring.grade } : {}),
    ...(lead.deletedAt ? { deleted: true } : {}),
  };
}

/** The person's touches across platforms, withdrawals and merges, oldest first. */
export function contactTimeline(view: {
  leads: readonly StoredLead[];
  consents: readonly ConsentRecord[];
  merges?: readonly MergeRecord[];
}): TimelineEntry[] {
  const entries: TimelineEntry[] = [
    ...view.leads.map(leadEntry),
    ...view.consents
      .filter((c) => c.method === 'withdrawal')
      .map(
        (c): TimelineEntry => ({
          at: c.at,
          kind: 'consent_withdrawn',
          purpose: c.purpose,
          ...(c.recordId ? { recordId: c.recordId } : {}),
        }),
      ),
    ...(view.merges ?? []).map(
      (m): TimelineEntry => ({
        at: m.mergedAt,
        kind: 'merged',
        mergedContactId: m.mergedId,
        leadIds: m.leadIds ?? [],
      }),
    ),
  ];
  return entries.sort((a, b) => a.at.localeCompare(b.at));
}

/** A contact as the admin API shows it: profile, touches, the consent ledger and state, the timeline. */
export interface ContactDetails extends ContactView {
  consentState: ConsentStateEntry[];
  timeline: TimelineEntry[];
}

export function contactDetails(view: ContactView): ContactDetails {
  const consents = [...view.consents].sort(ledgerOrder);
  return {
    ...view,
    consents,
    consentState: consentState(consents),
    timeline: contactTimeline(view),
  };
}
