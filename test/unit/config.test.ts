import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadHubConfig, parseEnv, parseHubConfig } from '../../lib/config.js';
import { thrownBy } from '../support/thrown.js';

describe('runtime', () => {
  it('runs on Node 24 or newer (the node devDependency; a skipped install script falls back to 20)', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(24);
  });
});

describe('hub config', () => {
  it('fills defaults for an empty config', () => {
    const config = parseHubConfig({});
    expect(config.defaults.phoneCountry).toBe('US');
    expect(config.forms).toEqual({});
    expect(config.scoring.stages.map((s) => s.stage)).toEqual([
      'nurture',
      'sales_development',
      'account_executive',
    ]);
  });

  it('fills form defaults: 64 KiB body cap, email required', () => {
    const { forms } = parseHubConfig({ forms: { contact: {} } });
    expect(forms.contact).toMatchObject({ maxBodyBytes: 65536, required: ['email'], allowedOrigins: [] });
  });

  it('caps a form body at 256 KiB, so its raw submission always fits on a receipt', () => {
    expect(parseHubConfig({ forms: { big: { maxBodyBytes: 256 * 1024 } } }).forms.big?.maxBodyBytes).toBe(
      262_144,
    );
    expect(() => parseHubConfig({ forms: { big: { maxBodyBytes: 256 * 1024 + 1 } } })).toThrow(ConfigError);
  });

  it('names every bad key by its path', () => {
    const bad = {
      forms: {
        contact: { required: ['emial'], allowedOrigins: ['not a url'], consents: [{ field: 'x' }] },
        'bad id!': {},
      },
      unknownTopLevel: true,
    };
    const error = thrownBy(() => parseHubConfig(bad, 'leadhub.config.json'));
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('leadhub.config.json');
    expect(message).toContain('forms.contact.required.0');
    expect(message).toContain('forms.contact.allowedOrigins.0');
    expect(message).toContain('forms.contact.consents.0.purpose');
    expect(message).toContain('forms.bad id!');
    expect(message).toContain('unknownTopLevel');
  });

  it('fills the HTTP limits: a throttle per route group, form posts per client, no trusted proxy', () => {
    expect(parseHubConfig({}).limits).toEqual({
      routes: {
        webhooks: { ratePerSecond: 100, burst: 200 },
        forms: { ratePerSecond: 20, burst: 40 },
        slack: { ratePerSecond: 10, burst: 20 },
        admin: { ratePerSecond: 10, burst: 20 },
      },
      formsPerClient: { perMinute: 10, burst: 20 },
      trustedProxyHops: 0,
    });
    const partial = parseHubConfig({ limits: { routes: { forms: { burst: 5 } } } }).limits.routes.forms;
    expect(partial).toEqual({ ratePerSecond: 20, burst: 5 });
  });

  it('refuses limits API Gateway cannot take, naming each', () => {
    let message = '';
    try {
      parseHubConfig({
        limits: {
          routes: { webhooks: { ratePerSecond: 20_000, burst: 0 }, form: {} },
          formsPerClient: { perMinute: 0, burst: 1.5 },
          trustedProxyHops: -1,
        },
      });
    } catch (error) {
      message = (error as Error).message;
    }
    for (const path of [
      'limits.routes.webhooks.ratePerSecond',
      'limits.routes.webhooks.burst',
      'limits.routes (form)',
      'limits.formsPerClient.perMinute',
      'limits.formsPerClient.burst',
      'limits.trustedProxyHops',
    ]) {
      expect(message).toContain(path);
    }
  });

  it('rejects an unknown key inside a form, naming it', () => {
    expect(() => parseHubConfig({ forms: { contact: { honeyPot: 'x' } } })).toThrow(
      /forms\.contact.*honeyPot/,
    );
  });

  it('reports unreadable files and invalid JSON clearly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leadhub-config-'));
    expect(() => loadHubConfig(join(dir, 'missing.json'))).toThrow(/Cannot read LeadHub config/);
    writeFileSync(join(dir, 'broken.json'), '{ "forms": ');
    expect(() => loadHubConfig(join(dir, 'broken.json'))).toThrow(/not valid JSON/);
  });

  it('loads the repository example config', () => {
    const config = loadHubConfig(join(import.meta.dirname, '../../leadhub.config.json'));
    expect(Object.keys(config.forms)).toContain('contact');
  });
});

describe('environment', () => {
  it('applies the documented defaults', () => {
    expect(parseEnv({})).toMatchObject({
      PORT: 3000,
      LEADHUB_DATA_DIR: '.leadhub',
      LEADHUB_DB: 'file',
      LEADHUB_CONFIG: 'leadhub.config.json',
    });
  });

  it('rejects bad values with the variable name', () => {
    expect(() => parseEnv({ LEADHUB_DB: 'postgres' })).toThrow(/LEADHUB_DB/);
    expect(() => parseEnv({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => parseEnv({ SLACK_WEBHOOK_URL: 'nope' })).toThrow(/SLACK_WEBHOOK_URL/);
  });
});
