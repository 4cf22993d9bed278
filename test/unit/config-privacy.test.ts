import { describe, expect, it } from 'vitest';
import { ConfigError, MIN_RECEIPT_RETENTION_DAYS, parseHubConfig } from '../../lib/config.js';

describe('privacy config', () => {
  it('keeps receipts 30 days by default, and forms do not accept fresh consent unless told', () => {
    const config = parseHubConfig({ forms: { a: {} }, meta: { forms: { '123': {} } } });
    expect(config.privacy.receiptRetentionDays).toBe(30);
    expect(config.forms.a?.acceptFreshConsent).toBe(false);
    expect(config.meta.forms['123']?.acceptFreshConsent).toBe(false);
  });

  it('takes a longer or shorter retention, but never shorter than every platform retries', () => {
    expect(parseHubConfig({ privacy: { receiptRetentionDays: 7 } }).privacy.receiptRetentionDays).toBe(7);
    expect(MIN_RECEIPT_RETENTION_DAYS).toBe(4);
    expect(() => parseHubConfig({ privacy: { receiptRetentionDays: 3 } })).toThrow(
      /privacy\.receiptRetentionDays/,
    );
    expect(() => parseHubConfig({ privacy: { receiptRetentionDays: 1.5 } })).toThrow(ConfigError);
    expect(() => parseHubConfig({ privacy: { retention: 30 } })).toThrow(/retention/);
  });

  it('keeps the privacy audit trail 6 years by default, from 1 to 30 whole years', () => {
    expect(parseHubConfig({}).privacy.auditRetentionYears).toBe(6);
    expect(parseHubConfig({ privacy: { auditRetentionYears: 10 } }).privacy.auditRetentionYears).toBe(10);
    for (const years of [0, 31, 2.5, '6']) {
      expect(() => parseHubConfig({ privacy: { auditRetentionYears: years } })).toThrow(
        /privacy\.auditRetentionYears/,
      );
    }
  });

  it('takes the fresh-consent flag per web form and per Meta form', () => {
    const config = parseHubConfig({
      forms: { a: { acceptFreshConsent: true } },
      meta: { forms: { '123': { acceptFreshConsent: true } } },
    });
    expect(config.forms.a?.acceptFreshConsent).toBe(true);
    expect(config.meta.forms['123']?.acceptFreshConsent).toBe(true);
  });
});
