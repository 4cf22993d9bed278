import { describe, expect, it } from 'vitest';
import { CHAOS_SCENARIOS, ChaosUsageError, parseChaosArgs } from '../../../bench/chaos/args.js';

describe('npm run chaos arguments', () => {
  it('defaults to every scenario at the issue’s sizes, with a random seed it reports', () => {
    const args = parseChaosArgs([], () => 1234);
    expect(args).toMatchObject({
      help: false,
      scenarios: [...CHAOS_SCENARIOS],
      seed: 1234,
      stormDeliveries: 5000,
      duplicateRate: 0.3,
      concurrency: 50,
      faultRate: 0.2,
      hangs: true,
    });
    expect(args.services).toHaveLength(6);
    expect(args.sources).toEqual(['form', 'meta', 'linkedin', 'tiktok', 'google']);
  });

  it('reads every option, in both spellings', () => {
    const args = parseChaosArgs([
      '--seed',
      '7',
      '--scenarios=storm,fuzz',
      '--storm-deliveries',
      '300',
      '--duplicates',
      '0.25',
      '--concurrency=20',
      '--fault-rate',
      '0.1',
      '--services',
      'dynamodb,slack',
      '--sources',
      'form,meta',
      '--no-hangs',
      '--fuzz-runs',
      '50',
      '--max-seconds',
      '60',
      '--log',
      'hub.log',
      '--out',
      'chaos.json',
    ]);
    expect(args).toMatchObject({
      seed: 7,
      scenarios: ['storm', 'fuzz'],
      stormDeliveries: 300,
      duplicateRate: 0.25,
      concurrency: 20,
      faultRate: 0.1,
      services: ['dynamodb', 'slack'],
      sources: ['form', 'meta'],
      hangs: false,
      fuzzRuns: 50,
      maxSeconds: 60,
      logFile: 'hub.log',
      out: 'chaos.json',
    });
    expect(parseChaosArgs(['--help']).help).toBe(true);
  });

  it('refuses unknown or out-of-range values with a precise message', () => {
    const bad: [string[], RegExp][] = [
      [['--scenarios', 'storm,nope'], /unknown nope/],
      [['--seed', '-1'], /--seed must be a whole number/],
      [['--seed'], /--seed needs a value/],
      [['--duplicates', '0.95'], /--duplicates must be a number from 0 to 0.9/],
      [['--fault-rate', 'x'], /--fault-rate/],
      [['--concurrency', '0'], /--concurrency/],
      [['--services', 'dns'], /unknown dns/],
      [['--target', 'http://example.com'], /unknown argument --target/],
    ];
    for (const [argv, message] of bad) {
      expect(() => parseChaosArgs(argv), argv.join(' ')).toThrow(ChaosUsageError);
      expect(() => parseChaosArgs(argv), argv.join(' ')).toThrow(message);
    }
  });
});
