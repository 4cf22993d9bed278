import { describe, expect, it } from 'vitest';
import { slackAppChannelProblems } from '../../../lib/alerts/config.js';
import { assertSlackAppChannels, ConfigError, parseHubConfig } from '../../../lib/config.js';

const alertsOf = (alerts: Record<string, unknown>) => parseHubConfig({ alerts }).alerts;
const keysOf = (alerts: Record<string, unknown>, testWebhook = false) =>
  slackAppChannelProblems(alertsOf(alerts), { testWebhook }).map((p) => p.key);

describe('slackAppChannelProblems (a Slack app needs a channel for every alert)', () => {
  it('needs alerts.defaultChannel unless a route matches every real lead', () => {
    expect(keysOf({})).toEqual(['alerts.defaultChannel']);
    expect(keysOf({ routes: [{ match: { grades: ['A'] }, channel: 'C0HOT' }] })).toEqual([
      'alerts.defaultChannel',
    ]);
    // A test-only catch-all does not take real leads.
    expect(
      keysOf({ testLeads: 'test-channel', routes: [{ match: { isTest: true }, channel: 'C0QA' }] }),
    ).toEqual(['alerts.defaultChannel']);
    expect(keysOf({ defaultChannel: 'C0SALES' })).toEqual([]);
    expect(keysOf({ routes: [{ match: {}, channel: '#sales' }] })).toEqual([]);
  });

  it('needs a place for test leads only when they are routed (testLeads "test-channel")', () => {
    expect(keysOf({ defaultChannel: 'C0SALES', testLeads: 'skip' })).toEqual([]);
    expect(keysOf({ defaultChannel: 'C0SALES', testLeads: 'test-channel' })).toEqual(['alerts.testChannel']);
    expect(keysOf({ defaultChannel: 'C0SALES', testLeads: 'test-channel' }, true)).toEqual([]);
    expect(keysOf({ defaultChannel: 'C0SALES', testLeads: 'test-channel', testChannel: 'C0QA' })).toEqual([]);
    expect(
      keysOf({
        defaultChannel: 'C0SALES',
        testLeads: 'test-channel',
        routes: [{ match: { isTest: true, sources: ['meta'] }, channel: 'C0QA' }],
      }),
    ).toEqual(['alerts.testChannel']);
    expect(
      keysOf({
        defaultChannel: 'C0SALES',
        testLeads: 'test-channel',
        routes: [{ match: { isTest: true }, channel: 'C0QA' }],
      }),
    ).toEqual([]);
  });

  it('refuses with a ConfigError that says why, where, and names the key', () => {
    const config = parseHubConfig({ alerts: { routes: [{ match: { grades: ['A'] }, channel: 'C0HOT' }] } });
    const check = () =>
      assertSlackAppChannels(config, {
        because: 'SLACK_BOT_TOKEN is set (Slack app mode)',
        origin: 'leadhub.config.json',
        testWebhook: false,
      });
    expect(check).toThrow(ConfigError);
    expect(check).toThrow(
      /^SLACK_BOT_TOKEN is set \(Slack app mode\), but the LeadHub config in leadhub\.config\.json leaves alerts without a Slack channel:\n {2}alerts\.defaultChannel: is not set/,
    );
  });
});
