import { SourceSchema } from '../lead/model.js';
import * as z from '../zod.js';

/**
 * A Slack channel: its id (C…, G…; stable across renames, preferred) or `#name`. A name only works in
 * Slack app mode; an incoming webhook always posts to its own channel.
 */
export const SlackChannelSchema = z
  .string()
  .check(
    z.regex(
      /^(?:[CG][A-Z0-9]{2,20}|#[a-z0-9][a-z0-9._-]{0,79})$/,
      'a channel id such as "C0123ABCD" or a name such as "#sales-leads"',
    ),
  );

/**
 * Who to notify: a user id (U…/W…), a user group id (S…), or `here` / `channel`. Ids, not names:
 * Slack only notifies on ids.
 */
export const SlackMentionSchema = z
  .string()
  .check(
    z.regex(
      /^(?:[UW][A-Z0-9]{2,20}|S[A-Z0-9]{2,20}|here|channel)$/,
      'a user id ("U0123ABCD"), a user group id ("S0123ABCD"), "here" or "channel"',
    ),
  );

const nonEmpty = () => z.string().check(z.minLength(1));
const nonEmptyList = <T extends z.core.SomeType>(item: T) => z.array(item).check(z.minLength(1));

/** Answer condition of a route: the answer whose key or label folds to `key` has one of `values`. */
export const RouteAnswerSchema = z.strictObject({
  key: nonEmpty(),
  values: nonEmptyList(nonEmpty()),
  match: z._default(z.enum(['equals', 'contains']), 'equals'),
});

/**
 * What a route matches. Every condition given must hold; a route without conditions matches every real
 * lead. Test leads only ever match a route that says `isTest: true`, so they never reach a sales channel
 * by accident.
 */
export const RouteMatchSchema = z.strictObject({
  grades: z.optional(nonEmptyList(nonEmpty())),
  sources: z.optional(nonEmptyList(SourceSchema)),
  /** Form ids: a web form's id from `forms`, or the platform's form id. */
  forms: z.optional(nonEmptyList(nonEmpty())),
  /** ISO alpha-2; the contact's country, else the phone number's. */
  countries: z.optional(
    nonEmptyList(
      z.pipe(
        z.string().check(z.regex(/^[A-Za-z]{2}$/, 'an ISO 3166 alpha-2 code such as "US"')),
        z.transform((c: string) => c.toUpperCase()),
      ),
    ),
  ),
  answers: z.optional(nonEmptyList(RouteAnswerSchema)),
  isTest: z.optional(z.boolean()),
});

export const AlertRouteSchema = z.strictObject({
  name: z.optional(nonEmpty()),
  match: z._default(RouteMatchSchema, {}),
  channel: SlackChannelSchema,
  mention: z.optional(SlackMentionSchema),
});
export type AlertRoute = z.infer<typeof AlertRouteSchema>;

const minutes = z
  .number()
  .check(
    z.positive('must be more than 0 minutes'),
    z.maximum(7 * 24 * 60, 'must be at most a week (10080 minutes)'),
  );

const HHMM = z.string().check(z.regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'a 24-hour time such as "09:00"'));

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Opening hours: the SLA clock only runs while open (a lead arriving when closed starts at opening). */
export const BusinessHoursSchema = z
  .strictObject({
    timeZone: z.string().check(z.refine(isTimeZone, 'is not an IANA time zone such as "Europe/Berlin"')),
    days: z._default(nonEmptyList(z.enum(WEEKDAYS)), ['mon', 'tue', 'wed', 'thu', 'fri']),
    start: z._default(HHMM, '09:00'),
    end: z._default(HHMM, '17:00'),
  })
  .check(z.refine((h) => h.start < h.end, { message: 'must be later than start', path: ['end'] }));
export type BusinessHours = z.infer<typeof BusinessHoursSchema>;

const EscalationTargetSchema = z.strictObject({
  /** Default: the channel the alert went to. */
  channel: z.optional(SlackChannelSchema),
  /** Default: `here`. */
  mention: z.optional(SlackMentionSchema),
});

/**
 * Claim deadlines. A grade without minutes has no SLA. When `minutes` is not given, the top scoring
 * grade gets 5 minutes.
 */
export const SlaConfigSchema = z.strictObject({
  enabled: z._default(z.boolean(), true),
  /** Minutes to claim, per grade. */
  minutes: z.optional(z.record(nonEmpty(), minutes)),
  /** Per form id: minutes per grade, taking precedence over `minutes` for that form's leads. */
  forms: z._default(z.record(nonEmpty(), z.record(nonEmpty(), minutes)), {}),
  businessHours: z.optional(BusinessHoursSchema),
  /** Level 1: repost here, with this mention, when the deadline passes unclaimed. */
  escalation: z._default(EscalationTargetSchema, {}),
  /** Level 2: this many (business) minutes after level 1, if still unclaimed. */
  secondLevel: z.optional(z.extend(EscalationTargetSchema, { afterMinutes: minutes })),
});
export type SlaConfig = z.infer<typeof SlaConfigSchema>;

/** The Slack-app part of `alerts` (the `testLeads` switch predates it and stays in lib/config.ts). */
export const AlertsSlackFields = {
  /** Where a lead goes when no route matches (Slack app mode). */
  defaultChannel: z.optional(SlackChannelSchema),
  /** Where test leads go with `testLeads: "test-channel"` in Slack app mode. */
  testChannel: z.optional(SlackChannelSchema),
  /** First match wins. */
  routes: z._default(z.array(AlertRouteSchema), []),
  sla: z.prefault(SlaConfigSchema, {}),
};

/** What the channel check reads of `alerts` (lib/config.ts's HubConfig satisfies it). */
export interface AlertChannelsInput {
  testLeads: 'skip' | 'test-channel';
  defaultChannel?: string;
  testChannel?: string;
  routes: readonly AlertRoute[];
}

/** A route that every real lead (or, with `isTest: true`, every test lead) matches: no other condition. */
function matchesEveryLead(route: AlertRoute, test: boolean): boolean {
  const { isTest, ...conditions } = route.match;
  return (isTest === true) === test && Object.values(conditions).every((v) => v === undefined);
}

export interface SlackAppChannelProblem {
  /** The config key that would give the alerts a channel. */
  key: 'alerts.defaultChannel' | 'alerts.testChannel';
  message: string;
}

/**
 * A Slack app posts each alert to the channel its route names; an incoming webhook has its own channel.
 * So in Slack app mode every alert must have a channel: real leads no route matches go to
 * `alerts.defaultChannel`, test leads (with `testLeads: "test-channel"`) to an `isTest` route,
 * `alerts.testChannel` or the test webhook. Returns what is missing; empty when every alert has a place.
 */
export function slackAppChannelProblems(
  alerts: AlertChannelsInput,
  options: { testWebhook: boolean },
): SlackAppChannelProblem[] {
  const problems: SlackAppChannelProblem[] = [];
  if (!alerts.defaultChannel && !alerts.routes.some((r) => matchesEveryLead(r, false))) {
    problems.push({
      key: 'alerts.defaultChannel',
      message:
        'is not set and no route matches every lead, so a Slack app has nowhere to post the leads no route ' +
        'matches: set it to a channel id such as "C0123ABCD" or a name such as "#sales-leads"',
    });
  }
  const testsHaveNoPlace =
    alerts.testLeads === 'test-channel' &&
    !alerts.testChannel &&
    !options.testWebhook &&
    !alerts.routes.some((r) => matchesEveryLead(r, true));
  if (testsHaveNoPlace) {
    problems.push({
      key: 'alerts.testChannel',
      message:
        'is not set (nor SLACK_TEST_WEBHOOK_URL, nor a route with only "isTest": true), so a Slack app has ' +
        'nowhere to post test leads with alerts.testLeads "test-channel": set it, or set testLeads to "skip"',
    });
  }
  return problems;
}

/** The config shape the cross-checks read (lib/config.ts's HubConfig satisfies it). */
export interface AlertsCheckInput {
  scoring: { grades: readonly { grade: string; minScore: number }[] };
  alerts: {
    testLeads: 'skip' | 'test-channel';
    routes: readonly AlertRoute[];
    sla: SlaConfig;
  };
}

interface IssueSink {
  addIssue(issue: { code: 'custom'; message: string; path: PropertyKey[] }): void;
}

/**
 * Checks that need more than one key: grades named in routes and SLAs exist in `scoring.grades`, test
 * routes are not dead (test leads skipped), and no route hides behind a catch-all route.
 */
export function checkAlertsConfig(config: AlertsCheckInput, ctx: IssueSink): void {
  const grades = config.scoring.grades.map((g) => g.grade);
  const known = new Set(grades);
  const unknownGrade = (grade: string) =>
    `unknown grade "${grade}" (scoring.grades has ${grades.join(', ')})`;
  const { routes, sla } = config.alerts;

  let catchAll: number | undefined;
  routes.forEach((route, i) => {
    const at = ['alerts', 'routes', i];
    route.match.grades?.forEach((grade, j) => {
      if (!known.has(grade))
        ctx.addIssue({ code: 'custom', message: unknownGrade(grade), path: [...at, 'match', 'grades', j] });
    });
    if (route.match.isTest === true && config.alerts.testLeads === 'skip') {
      ctx.addIssue({
        code: 'custom',
        message:
          'test leads are skipped (alerts.testLeads is "skip"); set it to "test-channel" to route them',
        path: [...at, 'match', 'isTest'],
      });
    }
    const forRealLeads = route.match.isTest !== true;
    if (forRealLeads && catchAll !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `is never used: route ${catchAll} before it matches every lead`,
        path: at,
      });
    }
    const conditions = Object.entries(route.match).filter(([k, v]) => k !== 'isTest' && v !== undefined);
    if (forRealLeads && conditions.length === 0 && catchAll === undefined) catchAll = i;
  });

  for (const grade of Object.keys(sla.minutes ?? {})) {
    if (!known.has(grade))
      ctx.addIssue({
        code: 'custom',
        message: unknownGrade(grade),
        path: ['alerts', 'sla', 'minutes', grade],
      });
  }
  for (const [form, perGrade] of Object.entries(sla.forms)) {
    for (const grade of Object.keys(perGrade)) {
      if (!known.has(grade)) {
        ctx.addIssue({
          code: 'custom',
          message: unknownGrade(grade),
          path: ['alerts', 'sla', 'forms', form, grade],
        });
      }
    }
  }
}
