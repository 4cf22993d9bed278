import type { LeadScoredV1 } from '../../events/contracts.js';
import type { SlackMessage } from '../ports.js';

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

/** A display name: full name, else first + last, else the email or phone. */
export function leadName(lead: Pick<LeadScoredV1, 'contact'>): string {
  const c = lead.contact;
  const joined = [c.firstName, c.lastName].filter(Boolean).join(' ');
  return c.fullName || joined || c.email || c.phone || 'Unknown lead';
}

/**
 * The speed-to-lead alert: who, what they asked, score with its top reasons, where they came from and
 * how long they have been waiting. Every user-supplied string is escaped and every text is kept inside
 * Block Kit's limits.
 */
export function buildAlertMessage(lead: LeadScoredV1, now: Date): SlackMessage {
  const name = leadName(lead);
  const c = lead.contact;
  const waiting = formatWaiting(minutesWaiting(lead.timings.platformCreatedAt, now));
  const testMark = lead.isTest ? '[TEST] ' : '';
  const blocks: unknown[] = [];

  blocks.push({
    type: 'header',
    // Slack names &, < and > control characters of every text object, plain_text included.
    text: {
      type: 'plain_text',
      text: truncate(escapeMrkdwn(`${testMark}New lead: ${name}`), SLACK_LIMITS.headerText),
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
  blocks.push({ type: 'section', fields });

  const reasons = [...lead.breakdown.reasons]
    .sort((a, b) => Math.abs(b.points) - Math.abs(a.points))
    .slice(0, MAX_REASONS)
    .map((r) => `• ${r.points > 0 ? '+' : ''}${r.points} ${escapeMrkdwn(r.reason)}`);
  const scoreLine = `*Score ${lead.score}/100 · Grade ${escapeMrkdwn(lead.grade)}* · ${escapeMrkdwn(lead.stage)}`;
  blocks.push({
    type: 'section',
    text: mrkdwn([scoreLine, ...reasons].join('\n'), SLACK_LIMITS.sectionText),
  });

  const asked = answersText(lead.answers);
  if (asked) blocks.push({ type: 'section', text: mrkdwn(asked, SLACK_LIMITS.sectionText) });

  blocks.push({
    type: 'context',
    elements: [mrkdwn(originText(lead, waiting), SLACK_LIMITS.contextText)],
  });

  const company = c.company ? `, ${c.company}` : '';
  const text = truncate(
    escapeMrkdwn(
      `${testMark}New lead: ${name}${company} (score ${lead.score}, ${lead.grade}), waiting ${waiting}`,
    ),
    SLACK_LIMITS.fallbackText,
  );
  return { text, blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}

function mrkdwn(text: string, max: number): { type: 'mrkdwn'; text: string } {
  return { type: 'mrkdwn', text: truncate(text, max) };
}

/** "What they asked": one line per answer; long answers are cut, and overflow is counted, not dropped silently. */
function answersText(answers: LeadScoredV1['answers']): string | undefined {
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
  if (more > 0) lines.push(`…and ${more} more answer${more === 1 ? '' : 's'}`);
  return [title, ...lines].join('\n');
}

/** Source, campaign / ad / form (names, else ids), enrichment hints and time waiting. */
function originText(lead: LeadScoredV1, waiting: string): string {
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
  if (e.emailType)
    parts.push(`Email: ${e.emailType}${e.companyDomain ? ` (${escapeMrkdwn(e.companyDomain)})` : ''}`);
  if (e.phoneLineType) {
    const line = e.phoneLineType.toLowerCase().replace(/_/g, ' ');
    parts.push(`Phone: ${e.phoneCountry ? `${escapeMrkdwn(e.phoneCountry)} ` : ''}${escapeMrkdwn(line)}`);
  }
  parts.push(`Waiting *${waiting}*`);
  return parts.join(' · ');
}
