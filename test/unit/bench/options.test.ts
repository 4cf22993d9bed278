import { describe, expect, it } from 'vitest';
import { CHAOS_TUNING } from '../../../bench/chaos/harness.js';
import { AWS_LIKE_TUNING, FAST_TUNING, hubOptions } from '../../../bench/hub/options.js';
import { metaSource } from '../../../bench/sources/meta.js';

describe('bench and chaos hubs', () => {
  it('leave the hourly Meta reconciliation off, so they measure deliveries alone', () => {
    for (const tuning of [AWS_LIKE_TUNING, FAST_TUNING, CHAOS_TUNING]) expect(tuning.reconcile).toBe(false);
    // A Meta bench hub is configured for Meta (secret and page tokens), so only the tuning keeps it off.
    const options = hubOptions({
      sources: [metaSource],
      slackUrl: 'http://127.0.0.1:1',
      tuning: FAST_TUNING,
    });
    expect(options.env.META_APP_SECRET).toBeTruthy();
    expect(options.tuning.reconcile).toBe(false);
  });

  it('turn the HTTP throttles off: they drive the hub from one address far past every limit', () => {
    for (const tuning of [AWS_LIKE_TUNING, FAST_TUNING, CHAOS_TUNING]) expect(tuning.rateLimits).toBe(false);
  });
});
