import type { Enrichment } from '../../events/contracts.js';
import type { HubConfig } from '../config.js';
import type { Answer, Attribution, ContactField, Source } from '../lead/model.js';
import { fold } from '../scoring/score.js';
import type { AlertRoute } from './config.js';

/** What routing reads of a lead: its grading, and of the person their country and answers. */
export interface RoutableLead {
  grade: string;
  source: Source;
  isTest: boolean;
  attribution: Pick<Attribution, 'formId'>;
  contact: Partial<Record<ContactField, string>>;
  answers: readonly Answer[];
  enrichment: Pick<Enrichment, 'phoneCountry'>;
}

export type RouteDecision =
  | { skip: 'test-lead' }
  /**
   * `channel` is undefined when no route matched and no default (or test) channel is set: an incoming
   * webhook still posts to its own channel, a Slack app has nowhere to post.
   */
  | { skip?: undefined; channel?: string; mention?: string; route: string; test: boolean };

/**
 * Where an alert goes. Test leads are skipped unless `testLeads` is `test-channel`, and then only reach a
 * route that says `isTest: true`, else the test channel. Real leads take the first matching route, else
 * the default channel.
 */
export function routeLead(alerts: HubConfig['alerts'], lead: RoutableLead): RouteDecision {
  if (lead.isTest && alerts.testLeads === 'skip') return { skip: 'test-lead' };
  for (const [i, route] of alerts.routes.entries()) {
    if (routeMatches(route.match, lead)) {
      return {
        channel: route.channel,
        ...(route.mention ? { mention: route.mention } : {}),
        route: route.name ?? `routes.${i}`,
        test: lead.isTest,
      };
    }
  }
  if (lead.isTest) {
    return {
      ...(alerts.testChannel ? { channel: alerts.testChannel } : {}),
      route: 'testChannel',
      test: true,
    };
  }
  return {
    ...(alerts.defaultChannel ? { channel: alerts.defaultChannel } : {}),
    route: 'defaultChannel',
    test: false,
  };
}

export function routeMatches(match: AlertRoute['match'], lead: RoutableLead): boolean {
  if ((match.isTest === true) !== lead.isTest) return false;
  if (match.grades && !match.grades.includes(lead.grade)) return false;
  if (match.sources && !match.sources.includes(lead.source)) return false;
  if (match.forms && !(lead.attribution.formId && match.forms.includes(lead.attribution.formId)))
    return false;
  if (match.countries) {
    const country = (lead.contact.country ?? lead.enrichment.phoneCountry)?.toUpperCase();
    if (!country || !match.countries.includes(country)) return false;
  }
  if (match.answers && !match.answers.every((condition) => answerMatches(condition, lead.answers))) {
    return false;
  }
  return true;
}

/** Keys, labels and values compare folded (lower case, punctuation as `_`), like the scoring rules. */
function answerMatches(
  condition: NonNullable<AlertRoute['match']['answers']>[number],
  answers: RoutableLead['answers'],
): boolean {
  const key = fold(condition.key);
  const wanted = condition.values.map(fold);
  return answers.some((answer) => {
    const named = fold(answer.key) === key || (answer.label !== undefined && fold(answer.label) === key);
    if (!named) return false;
    return answer.values.some((value) => {
      const v = fold(value);
      return condition.match === 'contains' ? wanted.some((w) => v.includes(w)) : wanted.includes(v);
    });
  });
}
