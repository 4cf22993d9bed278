import type { Enrichment, LeadScoredV2, ScoreBreakdown } from '../../events/contracts.js';
import { ALERT_ACTIONS, SLACK_USER_ID } from '../alerts/actions.js';
import {
  type Answer,
  type CampaignAttribution,
  type ContactField,
  campaignAttribution,
  pickContactFields,
  type Source,
} from '../lead/model.js';
import type { AlertOutcome, SlackMessage, StageTimings, StoredLead } from '../ports.js';
import { enrichmentWithDomains } from '../scoring/enrich.js';

/** Block Kit limits (https://api.slack.com/reference/block-kit/blocks). */
export const SLACK_LIMITS = {
  headerText: 150,
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  contextText: 2000,
  blocks: 50,
  fallbackText: 3000,
} as const;

/** Longest single answer shown before it is cut, so one essay cannot crowd out the other answers. */
const MAX_ANSWER_CHARS = 500;
const MAX_REASONS = 3;

/**
 * Slack treats &, < and > as control characters in mrkdwn (`<!channel>`, `<https://x|click>`); escaping
 * them is Slack's own rule for user text, so a lead cannot inject a mention or a disguised link.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts to at most `max` characters with an ellipsis, never inside an entity (&amp;) or a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  const amp = cut.lastIndexOf('&');
  if (amp !== -1 && amp >= cut.length - 4 && !cut.slice(amp).includes(';')) cut = cut.slice(0, amp);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** Whole minutes between the platform creating the lead and `now` (never negative: clocks drift). */
export function minutesWaiting(platformCreatedAt: string, now: Date): number {
  const ms = now.getTime() - Date.parse(platformCreatedAt);
  return Number.isFinite(ms) ? Math.max(0, Math.floor(ms / 60_000)) : 0;
}

export function formatWaiting(minutes: number): string {
  if (minutes < 1) return 'under 1 min';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** What the card shows of a lead: the stored lead (the person) with its score. */
export interface AlertLead {
  leadId: string;
  source: Source;
  isTest: boolean;
  /** The card names campaign, ad and form only: no landing URL, referrer or click ids. */
  attribution: CampaignAttribution;
  contact: Partial<Record<ContactField, string>>;
  answers: readonly Answer[];
  timings: StageTimings;
  score: number;
  grade: string;
  stage: string;
  breakdown: ScoreBreakdown;
  enrichment: Enrichment;
}

/**
 * The card of a stored lead with its score (escalations and updates rebuild it); undefined before it is
 * scored, and once its data was removed (erased, or deleted on its platform): no card for a person gone.
 */
export function alertLeadFromStored(lead: StoredLead): AlertLead | undefined {
  const s = lead.scoring;
  if (!s || lead.deletedAt) return undefined;
  return {
    ...personOf(lead),
    timings: {
      platformCreatedAt: lead.platformCreatedAt,
      receivedAt: lead.receivedAt,
      capturedAt: lead.capturedAt,
      scoredAt: s.scoredAt,
    },
    score: s.score,
    grade: s.grade,
    stage: s.stage,
    breakdown: s.breakdown,
    enrichment: s.enrichment,
  };
}

/**
 * The card of a LeadScored event: the grading from the event, the person from the stored lead (which the
 * event does not carry), the email and company domains derived again from the stored email.
 */
export function alertLeadFromScored(scored: LeadScoredV2, lead: StoredLead): AlertLead {
  return {
    ...personOf(lead),
    timings: scored.timings,
    score: scored.score,
    grade: scored.grade,
    stage: scored.stage,
    breakdown: scored.breakdown,
    enrichment: enrichmentWithDomains(scored.enrichment, lead.email),
  };
}

function personOf(lead: StoredLead) {
  return {
    leadId: lead.leadId,
    source: lead.source,
    isTest: lead.isTest,
    attribution: campaignAttribution(lead.attribution),
    contact: pickContactFields(lead),
    answers: lead.answers,
  };
}

/**
 * A mention from the config as Slack markup: user ids `<@U…>`, user groups `<!subteam^S…>`, `<!here>`,
 * `<!channel>`. Anything else (the config schema rejects it) is escaped, so it cannot become markup.
 */
export function slackMention(mention: string): string {
  if (mention === 'here' || mention === 'channel') return `<!${mention}>`;
  if (/^S[A-Z0-9]{2,20}$/.test(mention)) return `<!subteam^${mention}>`;
  if (SLACK_USER_ID.test(mention)) return `<@${mention}>`;
  return escapeMrkdwn(mention);
}

/** A user id from a signed Slack payload as a mention; anything not shaped like an id is shown escaped. */
export function userMention(userId: string): string {
  return SLACK_USER_ID.test(userId) ? `<@${userId}>` : escapeMrkdwn(userId);
}

/** Slack renders this in each reader's time zone, `{ago}` live ("7 minutes ago"); the fallback is UTC. */
export function slackDate(iso: string, format = '{ago}'): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return '';
  const fallback = `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${Math.floor(ms / 1000)}^${format}|${fallback}>`;
}

export interface AlertCardOptions {
  /** Claim and Not a fit buttons: Slack app mode only (a webhook cannot receive the clicks). */
  buttons?: boolean;
  /** Who to notify, as configured: a user id, a user group id, `here` or `channel`. */
  mention?: string;
  /** An SLA escalation repost of the alert. */
  escalation?: { level: number; slaMinutes: number };
  /** A rep decided: the card says who and after how long, and loses its buttons. */
  decision?: { outcome: AlertOutcome; userId: string; at: Date };
  /**
   * False for a card that lands in a terminal or log: no name, company, title, email, phone, location,
   * answers or email domain, only the lead id and where to read the rest. Default true.
   */
  contactDetails?: boolean;
}

/** A display name: full name, else first + last, else the email or phone. */
export function leadName(lead: Pick<AlertLead, 'contact'>): string {
  const c = lead.contact;
  const joined = [c.firstName, c.lastName].filter(Boolean).join(' ');
  return c.fullName || joined || c.email || c.phone || 'Unknown lead';
}

/**
 * The speed-to-lead alert: who, what they asked, score with its top reasons, where they came from and
 * how long they have been waiting. Every user-supplied string is escaped and every text is kept inside
 * Block Kit's limits.
 */
export function buildAlertMessage(lead: AlertLead, now: Date, options: AlertCardOptions = {}): SlackMessage {
  const contactDetails = options.contactDetails !== false;
  const name = contactDetails ? leadName(lead) : lead.leadId;
  const c: Partial<AlertLead['contact']> = contactDetails ? lead.contact : {};
  const { decision, escalation } = options;
  const waitedMinutes = minutesWaiting(lead.timings.platformCreatedAt, decision?.at ?? now);
  const waiting = formatWaiting(waitedMinutes);
  const testMark = lead.isTest ? '[TEST] ' : '';
  const mention = options.mention ? slackMention(options.mention) : undefined;
  const blocks: unknown[] = [];

  if (escalation && !decision) {
    const level = escalation.level > 1 ? ` (escalation ${escalation.level})` : '';
    const banner =
      `${mention ? `${mention} ` : ''}:rotating_light: *Unclaimed for ${waiting}*${level}: grade ` +
      `${escapeMrkdwn(lead.grade)} leads should be claimed within ${formatWaiting(escalation.slaMinutes)}.`;
    blocks.push({ type: 'section', text: mrkdwn(banner, SLACK_LIMITS.sectionText) });
  } else if (mention && !decision) {
    blocks.push({
      type: 'section',
      text: mrkdwn(`${mention} New grade ${escapeMrkdwn(lead.grade)} lead`, SLACK_LIMITS.sectionText),
    });
  }

  blocks.push({
    type: 'header',
    // Slack names &, < and > control characters of every text object, plain_text included.
    text: {
      type: 'plain_text',
      text: truncate(
        escapeMrkdwn(`${testMark}New lead${contactDetails ? ':' : ''} ${name}`),
        SLACK_LIMITS.headerText,
      ),
      emoji: true,
    },
  });

  const who: [string, string | undefined][] = [
    ['Name', name],
    ['Company', c.company],
    ['Job title', c.jobTitle],
    ['Email', c.email],
    ['Phone', c.phone],
    ['Location', [c.city, c.country].filter(Boolean).join(', ') || undefined],
  ];
  const fields = who
    .filter((entry): entry is [string, string] => Boolean(entry[1]))
    .slice(0, SLACK_LIMITS.fields)
    .map(([label, value]) => mrkdwn(`*${label}*\n${escapeMrkdwn(value)}`, SLACK_LIMITS.fieldText));
  if (contactDetails) blocks.push({ type: 'section', fields });
  else {
    const answers = lead.answers.length > 0 ? ` and ${plural(lead.answers.length, 'answer')}` : '';
    const note = `Contact details${answers} left out here (no PII in logs): GET /api/leads/${lead.leadId} shows them.`;
    blocks.push({ type: 'section', text: mrkdwn(escapeMrkdwn(note), SLACK_LIMITS.sectionText) });
  }

  const reasons = [...lead.breakdown.reasons]
    .sort((a, b) => Math.abs(b.points) - Math.abs(a.points))
    .slice(0, MAX_REASONS)
    .map((r) => `• ${r.points > 0 ? '+' : ''}${r.points} ${escapeMrkdwn(r.reason)}`);
  const scoreLine = `*Score ${lead.score}/100 · Grade ${escapeMrkdwn(lead.grade)}* · ${escapeMrkdwn(lead.stage)}`;
  blocks.push({
    type: 'section',
    text: mrkdwn([scoreLine, ...reasons].join('\n'), SLACK_LIMITS.sectionText),
  });

  const asked = contactDetails ? answersText(lead.answers) : undefined;
  if (asked) blocks.push({ type: 'section', text: mrkdwn(asked, SLACK_LIMITS.sectionText) });

  blocks.push({
    type: 'context',
    elements: [
      mrkdwn(originText(lead, decision ? undefined : waiting, contactDetails), SLACK_LIMITS.contextText),
    ],
  });

  if (decision) {
    const who = userMention(decision.userId);
    const line =
      decision.outcome === 'claimed'
        ? `:white_check_mark: Claimed by ${who} after ${waiting}`
        : `:no_entry_sign: Marked not a fit by ${who} after ${waiting}`;
    blocks.push({ type: 'context', elements: [mrkdwn(line, SLACK_LIMITS.contextText)] });
  } else if (options.buttons) {
    blocks.push(actionsBlock(lead.leadId));
  }

  const company = c.company ? `, ${c.company}` : '';
  const summary = `${name}${company} (score ${lead.score}, ${lead.grade})`;
  let plain: string;
  if (decision) {
    const verb = decision.outcome === 'claimed' ? 'Claimed' : 'Not a fit';
    plain = `${testMark}${verb} after ${waiting}: ${summary}`;
  } else if (escalation) {
    plain = `${testMark}Unclaimed for ${waiting}: ${summary}`;
  } else {
    plain = `${testMark}New lead: ${summary}, waiting ${waiting}`;
  }
  // The mention goes in the fallback text too: Slack notifies from `text`.
  const prefix = mention && !decision ? `${mention} ` : '';
  const text = truncate(`${prefix}${escapeMrkdwn(plain)}`, SLACK_LIMITS.fallbackText);
  return { text, blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}

/** Claim and Not a fit; both carry the lead id, and Not a fit asks first (it closes the lead for everyone). */
function actionsBlock(leadId: string) {
  const plainText = (text: string) => ({ type: 'plain_text', text, emoji: true });
  return {
    type: 'actions',
    block_id: 'leadhub_alert_actions',
    elements: [
      {
        type: 'button',
        action_id: ALERT_ACTIONS.claim,
        text: plainText('Claim'),
        style: 'primary',
        value: leadId,
      },
      {
        type: 'button',
        action_id: ALERT_ACTIONS.notAFit,
        text: plainText('Not a fit'),
        style: 'danger',
        value: leadId,
        confirm: {
          title: plainText('Not a fit?'),
          text: plainText('The lead is closed for the whole team and will not escalate.'),
          confirm: plainText('Not a fit'),
          deny: plainText('Keep it'),
        },
      },
    ],
  };
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function mrkdwn(text: string, max: number): { type: 'mrkdwn'; text: string } {
  return { type: 'mrkdwn', text: truncate(text, max) };
}

/** "What they asked": one line per answer; long answers are cut, and overflow is counted, not dropped silently. */
function answersText(answers: AlertLead['answers']): string | undefined {
  if (answers.length === 0) return undefined;
  const title = '*What they asked*';
  const budget = SLACK_LIMITS.sectionText - title.length - 40; // room for the "…and N more" line
  const lines: string[] = [];
  let used = 0;
  for (const answer of answers) {
    const question = escapeMrkdwn(truncate(answer.label ?? answer.key, 200));
    const value = answer.values.length > 0 ? answer.values.join(', ') : '(no answer)';
    const line = `*${question}*: ${truncate(escapeMrkdwn(value), MAX_ANSWER_CHARS)}`;
    if (used + line.length + 1 > budget) break;
    lines.push(line);
    used += line.length + 1;
  }
  const more = answers.length - lines.length;
  if (more > 0) lines.push(`…and ${plural(more, 'more answer')}`);
  return [title, ...lines].join('\n');
}

/** Source, campaign / ad / form (names, else ids), enrichment hints and time waiting (live in Slack). */
function originText(lead: AlertLead, waiting: string | undefined, contactDetails: boolean): string {
  const a = lead.attribution;
  const parts = [`Source: *${escapeMrkdwn(a.platform ?? a.source)}*`];
  const named = (label: string, name?: string, id?: string) => {
    const value = name ?? id;
    if (value) parts.push(`${label}: ${escapeMrkdwn(truncate(value, 200))}`);
  };
  named('Campaign', a.campaignName ?? a.utm.campaign, a.campaignId);
  named('Ad set', a.adSetName, a.adSetId);
  named('Ad', a.adName, a.adId);
  named('Form', a.formName, a.formId);
  const e = lead.enrichment;
  // The domain is part of the email address: not for a log.
  const domain = contactDetails && e.companyDomain ? ` (${escapeMrkdwn(e.companyDomain)})` : '';
  if (e.emailType) parts.push(`Email: ${e.emailType}${domain}`);
  if (e.phoneLineType) {
    const line = e.phoneLineType.toLowerCase().replace(/_/g, ' ');
    parts.push(`Phone: ${e.phoneCountry ? `${escapeMrkdwn(e.phoneCountry)} ` : ''}${escapeMrkdwn(line)}`);
  }
  if (waiting !== undefined) {
    const created = slackDate(lead.timings.platformCreatedAt);
    parts.push(`Waiting *${waiting}*${created ? ` (created ${created})` : ''}`);
  }
  return parts.join(' · ');
}
