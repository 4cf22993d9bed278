import { describe, expect, it } from 'vitest';
import { routeLead } from '../../../lib/alerts/routing.js';
import { ConfigError, parseHubConfig } from '../../../lib/config.js';
import { thrownBy } from '../../support/thrown.js';
import { alertLead } from '../scoring/fixtures.js';

const alerts = (raw: Record<string, unknown>) => parseHubConfig({ alerts: raw }).alerts;

/** One route of a kind, then a catch-all default: a lead either takes the route or the default. */
function routedTo(
  match: Record<string, unknown>,
  lead: ReturnType<typeof alertLead>,
  extra: Record<string, unknown> = {},
) {
  const decision = routeLead(
    alerts({ defaultChannel: 'C0DEFAULT', routes: [{ name: 'r', match, channel: 'C0ROUTE' }], ...extra }),
    lead,
  );
  return decision.skip ? 'skip' : decision.channel;
}

describe('routing rules, one kind at a time', () => {
  it('grade', () => {
    expect(routedTo({ grades: ['A', 'B'] }, alertLead({}, { grade: 'A' }))).toBe('C0ROUTE');
    expect(routedTo({ grades: ['A', 'B'] }, alertLead({}, { grade: 'C' }))).toBe('C0DEFAULT');
  });

  it('source', () => {
    expect(routedTo({ sources: ['meta'] }, alertLead({ source: 'meta' }))).toBe('C0ROUTE');
    expect(routedTo({ sources: ['meta'] }, alertLead({ source: 'form' }))).toBe('C0DEFAULT');
  });

  it('form', () => {
    expect(routedTo({ forms: ['demo'] }, alertLead({ attribution: { formId: 'demo' } }))).toBe('C0ROUTE');
    expect(routedTo({ forms: ['demo'] }, alertLead({ attribution: { formId: 'contact' } }))).toBe(
      'C0DEFAULT',
    );
    expect(routedTo({ forms: ['demo'] }, alertLead())).toBe('C0DEFAULT');
  });

  it("country: the contact's, else the phone number's, any case in the config", () => {
    const de = alertLead({ contact: { email: 'a@b.de', country: 'DE' } });
    expect(routedTo({ countries: ['de', 'AT'] }, de)).toBe('C0ROUTE');
    const byPhone = alertLead({ contact: { email: 'a@b.de' } }, {
      enrichment: { phoneCountry: 'AT' },
    } as never);
    expect(routedTo({ countries: ['DE', 'AT'] }, byPhone)).toBe('C0ROUTE');
    expect(routedTo({ countries: ['DE'] }, alertLead({ contact: { email: 'a@b.fr', country: 'FR' } }))).toBe(
      'C0DEFAULT',
    );
    expect(routedTo({ countries: ['DE'] }, alertLead())).toBe('C0DEFAULT');
  });

  it('answer values, by key or label, equals or contains, folded', () => {
    const lead = alertLead({
      answers: [
        { key: 'q1', label: 'What is your budget?', values: ['$50,000+'] },
        { key: 'team_size', values: ['51-200'] },
      ],
    });
    expect(routedTo({ answers: [{ key: 'team_size', values: ['51-200', '201-1000'] }] }, lead)).toBe(
      'C0ROUTE',
    );
    expect(routedTo({ answers: [{ key: 'what_is_your_budget', values: ['50_000'] }] }, lead)).toBe('C0ROUTE');
    expect(routedTo({ answers: [{ key: 'team_size', values: ['51'] }] }, lead)).toBe('C0DEFAULT');
    expect(routedTo({ answers: [{ key: 'team_size', values: ['51'], match: 'contains' }] }, lead)).toBe(
      'C0ROUTE',
    );
    // Every answer condition must hold.
    expect(
      routedTo(
        {
          answers: [
            { key: 'team_size', values: ['51-200'] },
            { key: 'q1', values: ['1k'] },
          ],
        },
        lead,
      ),
    ).toBe('C0DEFAULT');
  });

  it('test leads: only routes that say isTest, and only with testLeads = test-channel', () => {
    const test = alertLead({ isTest: true });
    expect(routedTo({}, test, { testLeads: 'skip' })).toBe('skip');
    expect(routedTo({ isTest: true }, test, { testLeads: 'test-channel' })).toBe('C0ROUTE');
    // A route for real leads never takes a test lead; without a test channel it goes nowhere in app mode.
    expect(routedTo({ grades: ['B'] }, test, { testLeads: 'test-channel' })).toBeUndefined();
    expect(routedTo({ grades: ['B'] }, test, { testLeads: 'test-channel', testChannel: 'C0TEST' })).toBe(
      'C0TEST',
    );
    // And a test route never takes a real lead.
    expect(routedTo({ isTest: true }, alertLead(), { testLeads: 'test-channel' })).toBe('C0DEFAULT');
  });
});

describe('routing order and defaults', () => {
  const config = alerts({
    defaultChannel: 'C0DEFAULT',
    routes: [
      { name: 'enterprise', match: { grades: ['A'], countries: ['US'] }, channel: 'C0ENT', mention: 'S0AES' },
      { name: 'any-a', match: { grades: ['A'] }, channel: 'C0HOT', mention: 'here' },
      { match: { sources: ['meta'] }, channel: '#meta-leads' },
    ],
  });

  it('takes the first route that matches, with its mention and name', () => {
    const us = alertLead({ contact: { email: 'a@b.com', country: 'US' } }, { grade: 'A' });
    expect(routeLead(config, us)).toEqual({
      channel: 'C0ENT',
      mention: 'S0AES',
      route: 'enterprise',
      test: false,
    });
    const gb = alertLead({ source: 'meta', contact: { email: 'a@b.com', country: 'GB' } }, { grade: 'A' });
    expect(routeLead(config, gb)).toMatchObject({ channel: 'C0HOT', route: 'any-a' });
    expect(routeLead(config, alertLead({ source: 'meta' }))).toEqual({
      channel: '#meta-leads',
      route: 'routes.2',
      test: false,
    });
  });

  it('falls back to the default channel, or to none', () => {
    expect(routeLead(config, alertLead())).toEqual({
      channel: 'C0DEFAULT',
      route: 'defaultChannel',
      test: false,
    });
    expect(routeLead(alerts({}), alertLead())).toEqual({ route: 'defaultChannel', test: false });
  });
});

describe('alerts config validation', () => {
  const error = (raw: Record<string, unknown>, scoring?: unknown) => {
    const thrown = thrownBy(() => parseHubConfig({ alerts: raw, ...(scoring ? { scoring } : {}) }));
    expect(thrown).toBeInstanceOf(ConfigError);
    return (thrown as Error).message;
  };

  it('names the key and the problem', () => {
    expect(error({ defaultChannel: 'sales' })).toContain(
      'alerts.defaultChannel: a channel id such as "C0123ABCD" or a name such as "#sales-leads"',
    );
    expect(error({ routes: [{ match: { grades: ['Z'] }, channel: 'C0A' }] })).toContain(
      'alerts.routes.0.match.grades.0: unknown grade "Z" (scoring.grades has D, C, B, A)',
    );
    expect(error({ routes: [{ match: { isTest: true }, channel: 'C0A' }] })).toContain(
      'alerts.routes.0.match.isTest: test leads are skipped',
    );
    expect(error({ routes: [{ channel: 'C0A' }, { match: { grades: ['A'] }, channel: 'C0B' }] })).toContain(
      'alerts.routes.1: is never used: route 0 before it matches every lead',
    );
    expect(error({ routes: [{ match: { colour: ['red'] }, channel: 'C0A' }] })).toContain(
      'alerts.routes.0.match (colour)',
    );
    expect(error({ routes: [{ match: { countries: ['USA'] }, channel: 'C0A' }] })).toContain(
      'alerts.routes.0.match.countries.0: an ISO 3166 alpha-2 code',
    );
    expect(error({ routes: [{ channel: 'C0A', mention: '@bob' }] })).toContain(
      'alerts.routes.0.mention: a user id',
    );
    expect(error({ sla: { minutes: { Q: 5 } } })).toContain('alerts.sla.minutes.Q: unknown grade "Q"');
    expect(error({ sla: { forms: { contact: { A: 0 } } } })).toContain(
      'alerts.sla.forms.contact.A: must be more than 0 minutes',
    );
    expect(error({ sla: { businessHours: { timeZone: 'Mars/Olympus' } } })).toContain(
      'alerts.sla.businessHours.timeZone: is not an IANA time zone',
    );
    expect(error({ sla: { businessHours: { timeZone: 'UTC', start: '18:00', end: '09:00' } } })).toContain(
      'alerts.sla.businessHours.end: must be later than start',
    );
    expect(error({ sla: { businessHours: { timeZone: 'UTC', start: '9:00' } } })).toContain(
      'alerts.sla.businessHours.start: a 24-hour time such as "09:00"',
    );
  });

  it('checks grades against custom scoring grades', () => {
    const scoring = {
      grades: [
        { grade: 'cold', minScore: 0 },
        { grade: 'hot', minScore: 70 },
      ],
    };
    expect(() => parseHubConfig({ scoring, alerts: { sla: { minutes: { hot: 3 } } } })).not.toThrow();
    expect(error({ sla: { minutes: { A: 3 } } }, scoring)).toContain(
      'unknown grade "A" (scoring.grades has cold, hot)',
    );
  });

  it('accepts a full example, and defaults to no routes and an enabled SLA', () => {
    const full = alerts({
      defaultChannel: 'C0SALES',
      testLeads: 'test-channel',
      testChannel: '#leads-test',
      routes: [
        {
          name: 'dach',
          match: { countries: ['de', 'at', 'ch'], grades: ['A', 'B'] },
          channel: 'C0DACH',
          mention: 'S0DACH',
        },
        { match: { isTest: true, forms: ['qa'] }, channel: '#qa' },
      ],
      sla: {
        minutes: { A: 5, B: 30 },
        forms: { demo: { B: 10 } },
        businessHours: {
          timeZone: 'Europe/Berlin',
          days: ['mon', 'tue', 'wed', 'thu', 'fri'],
          start: '08:30',
          end: '18:00',
        },
        escalation: { channel: 'C0MGRS', mention: 'here' },
        secondLevel: { afterMinutes: 15, mention: 'U0VPSALES' },
      },
    });
    expect(full.routes[0]?.match.countries).toEqual(['DE', 'AT', 'CH']);
    expect(alerts({})).toMatchObject({ testLeads: 'skip', routes: [], sla: { enabled: true, forms: {} } });
  });
});
