import { describe, expect, it } from 'vitest';
import { DEFAULTS, parseArgs, UsageError } from '../../../bench/args.js';
import { inputGroup } from '../../../bench/phases/bundles.js';
import { profileGroup, summariseProfile } from '../../../bench/profile.js';
import { findTokens, leadToken } from '../../../bench/sources/types.js';

describe('parseArgs', () => {
  it('defaults to every phase, 2,000 end-to-end leads at 50/s and a one-minute soak', () => {
    const o = parseArgs([]);
    expect(o).toEqual(DEFAULTS);
    expect(o.phases).toEqual(['bundles', 'ingest', 'e2e', 'cost', 'soak']);
    expect(o.leads).toBeGreaterThanOrEqual(2000);
    expect(o.soakSeconds).toBe(60);
  });

  it('reads values after the flag or after =, and keeps phases in run order', () => {
    const o = parseArgs(['--soak', '600', '--leads=5000', '--only', 'soak,e2e', '--soak-store', 'memory']);
    expect(o.soakSeconds).toBe(600);
    expect(o.leads).toBe(5000);
    expect(o.phases).toEqual(['e2e', 'soak']);
    expect(o.soakStore).toBe('memory');
  });

  it('refuses unknown flags, phases, stores and bad numbers', () => {
    expect(() => parseArgs(['--fast'])).toThrow(UsageError);
    expect(() => parseArgs(['--only', 'chaos'])).toThrow(/--only/);
    expect(() => parseArgs(['--soak-store', 'disk'])).toThrow(UsageError);
    expect(() => parseArgs(['--leads', '-5'])).toThrow(/positive/);
    expect(() => parseArgs(['--leads', '12.5'])).toThrow(/whole/);
    expect(() => parseArgs(['--rate'])).toThrow(/needs a value/);
    expect(() => parseArgs(['--rate', '--leads'])).toThrow(/needs a value/);
  });
});

describe('lead tokens', () => {
  it('finds every token in a Slack body, whatever case normalisation left', () => {
    const a = leadToken('abc1', 7);
    const body = JSON.stringify({
      text: `New lead: Bench ${a.toUpperCase()}`,
      blocks: [`${a}@acme.com`, 'lhbabc1x12'],
    });
    expect(findTokens(body)).toEqual([a, a, 'lhbabc1x12']);
    expect(findTokens('nothing here')).toEqual([]);
  });
});

describe('bundle and profile grouping', () => {
  it('groups esbuild inputs by package or project folder', () => {
    expect(inputGroup('node_modules/zod/v4/classic/schemas.js')).toBe('zod');
    expect(inputGroup('node_modules/@aws-lambda-powertools/logger/lib/esm/Logger.js')).toBe(
      '@aws-lambda-powertools/logger',
    );
    expect(inputGroup('lib/scoring/enrich.ts')).toBe('lib/scoring');
  });

  it('sums self time per group and ranks the groups', () => {
    expect(profileGroup('file:///x/node_modules/@smithy/core/dist/index.js', 'f')).toBe(
      'AWS SDK (@aws-sdk, @smithy)',
    );
    expect(profileGroup('file:///x/node_modules/dynalite/index.js', 'f')).toBe('dynalite + level');
    expect(profileGroup('node:internal/http', 'f')).toBe('node:internal');
    expect(profileGroup('', '(garbage collector)')).toBe('(garbage collector)');
    const summary = summariseProfile({
      nodes: [
        { id: 1, callFrame: { functionName: 'a', url: 'file:///w/node_modules/dynalite/db/index.js' } },
        { id: 2, callFrame: { functionName: '(idle)', url: '' } },
      ],
      samples: [1, 1, 2],
      timeDeltas: [10, 20, 10],
    });
    expect(summary).toEqual([
      { group: 'dynalite + level', share: 0.75 },
      { group: '(idle)', share: 0.25 },
    ]);
  });
});
