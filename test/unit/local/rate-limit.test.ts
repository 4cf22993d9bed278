import { describe, expect, it } from 'vitest';
import { parseHubConfig } from '../../../lib/config.js';
import {
  clientAddress,
  clientKey,
  RequestLimiter,
  routeLimits,
  TokenBuckets,
} from '../../../lib/local/rate-limit.js';
import { HttpRoutes } from '../../../lib/routes.js';

function fakeClock(start = Date.parse('2026-11-02T10:00:00Z')) {
  let now = start;
  return {
    nowMs: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const limit = { ratePerSecond: 2, burst: 3 };

describe('TokenBuckets', () => {
  it('admits the burst, then refuses with the seconds until the next token', () => {
    const clock = fakeClock();
    const buckets = new TokenBuckets(clock.nowMs);
    for (let i = 0; i < 3; i++) expect(buckets.take('a', limit)).toEqual({ admitted: true });
    expect(buckets.take('a', limit)).toEqual({ admitted: false, retryAfterSeconds: 1 });
  });

  it('refills at the rate as time passes, never above the burst', () => {
    const clock = fakeClock();
    const buckets = new TokenBuckets(clock.nowMs);
    for (let i = 0; i < 3; i++) buckets.take('a', limit);
    clock.advance(499);
    expect(buckets.take('a', limit).admitted).toBe(false);
    clock.advance(1);
    expect(buckets.take('a', limit).admitted).toBe(true);
    clock.advance(60_000);
    const admitted = Array.from({ length: 5 }, () => buckets.take('a', limit).admitted);
    expect(admitted).toEqual([true, true, true, false, false]);
  });

  it('rounds Retry-After up to whole seconds, at least 1', () => {
    const clock = fakeClock();
    const buckets = new TokenBuckets(clock.nowMs);
    const slow = { ratePerSecond: 10 / 60, burst: 1 };
    expect(buckets.take('a', slow).admitted).toBe(true);
    expect(buckets.take('a', slow)).toEqual({ admitted: false, retryAfterSeconds: 6 });
    clock.advance(5_500);
    expect(buckets.take('a', slow)).toEqual({ admitted: false, retryAfterSeconds: 1 });
  });

  it('keeps keys apart', () => {
    const buckets = new TokenBuckets(fakeClock().nowMs);
    for (let i = 0; i < 3; i++) buckets.take('a', limit);
    expect(buckets.take('a', limit).admitted).toBe(false);
    expect(buckets.take('b', limit).admitted).toBe(true);
  });

  it('refills nothing when the clock steps back', () => {
    const clock = fakeClock();
    const buckets = new TokenBuckets(clock.nowMs);
    for (let i = 0; i < 3; i++) buckets.take('a', limit);
    clock.advance(-60_000);
    expect(buckets.take('a', limit).admitted).toBe(false);
  });

  it('drops buckets that have refilled, so idle clients hold no memory', () => {
    const clock = fakeClock();
    const buckets = new TokenBuckets(clock.nowMs);
    for (let i = 0; i < 1_000; i++) buckets.take(`10.0.${i >> 8}.${i & 255}`, limit);
    expect(buckets.size).toBe(1_000);
    clock.advance(1_000);
    buckets.take('10.9.9.9', limit);
    expect(buckets.size).toBe(1);
  });

  it('never holds more than maxBuckets, however many clients are active at once', () => {
    const buckets = new TokenBuckets(fakeClock().nowMs, { maxBuckets: 100 });
    for (let i = 0; i < 10_000; i++) buckets.take(`key-${i}`, limit);
    expect(buckets.size).toBe(100);
  });

  it('evicts the least recently used bucket first when full', () => {
    const buckets = new TokenBuckets(fakeClock().nowMs, { maxBuckets: 2 });
    for (let i = 0; i < 3; i++) buckets.take('spammer', limit);
    buckets.take('b', limit);
    buckets.take('spammer', limit);
    buckets.take('c', limit);
    // 'b' was the idlest and went; the spammer's empty bucket is still there.
    expect(buckets.take('spammer', limit).admitted).toBe(false);
  });
});

describe('clientKey', () => {
  it('keys IPv4 clients by address and IPv6 clients by their /64', () => {
    expect(clientKey('192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:0DB8:0001:0002::9')).toBe('2001:db8:1:2::/64');
    expect(clientKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey('64:ff9b::198.51.100.4')).toBe('198.51.100.4');
  });

  it('keeps anything it cannot parse as it is', () => {
    expect(clientKey('not:an:address::at::all')).toBe('not:an:address::at::all');
    expect(clientKey('unknown')).toBe('unknown');
  });
});

describe('clientAddress', () => {
  it('uses the socket address and ignores X-Forwarded-For unless proxies are trusted', () => {
    expect(clientAddress('127.0.0.1', ['203.0.113.9'], 0)).toBe('127.0.0.1');
    expect(clientAddress('127.0.0.1', undefined, 1)).toBe('127.0.0.1');
  });

  it('behind N trusted proxies, takes the Nth entry from the right, so a forged entry is skipped', () => {
    expect(clientAddress('10.0.0.1', ['198.51.100.1, 203.0.113.9'], 1)).toBe('203.0.113.9');
    expect(clientAddress('10.0.0.1', ['198.51.100.1', '203.0.113.9, 10.0.0.2'], 2)).toBe('203.0.113.9');
    expect(clientAddress('10.0.0.1', ['203.0.113.9'], 3)).toBe('203.0.113.9');
    expect(clientAddress('10.0.0.1', [' , '], 1)).toBe('10.0.0.1');
  });
});

describe('RequestLimiter', () => {
  const perClient = { ratePerSecond: 1, burst: 2 };
  const forms = { route: { ratePerSecond: 100, burst: 100 }, perClient };

  it('limits each client on its own, and a refused client takes nothing from the route', () => {
    const limiter = new RequestLimiter(fakeClock().nowMs);
    const key = 'POST /forms/{formId}';
    expect(limiter.admit(key, forms, '192.0.2.1').admitted).toBe(true);
    expect(limiter.admit(key, forms, '192.0.2.1').admitted).toBe(true);
    for (let i = 0; i < 500; i++) {
      expect(limiter.admit(key, forms, '192.0.2.1')).toEqual({
        admitted: false,
        retryAfterSeconds: 1,
        reason: 'client',
      });
    }
    expect(limiter.admit(key, forms, '192.0.2.2').admitted).toBe(true);
  });

  it('refuses past the route bucket whoever asks', () => {
    const limiter = new RequestLimiter(fakeClock().nowMs);
    const route = { route: { ratePerSecond: 1, burst: 2 } };
    limiter.admit('POST /webhooks/meta', route, '192.0.2.1');
    limiter.admit('POST /webhooks/meta', route, '192.0.2.2');
    expect(limiter.admit('POST /webhooks/meta', route, '192.0.2.3')).toMatchObject({
      admitted: false,
      reason: 'route',
    });
    expect(limiter.admit('POST /webhooks/linkedin', route, '192.0.2.3').admitted).toBe(true);
  });
});

describe('routeLimits', () => {
  it('gives each route its group’s throttle and only form routes a per-client bucket', () => {
    const limits = parseHubConfig({
      limits: {
        routes: { forms: { ratePerSecond: 5, burst: 7 } },
        formsPerClient: { perMinute: 30, burst: 4 },
      },
    }).limits;
    for (const route of HttpRoutes) {
      const got = routeLimits(route, limits);
      if (route.fn === 'http-forms') {
        expect(got).toEqual({
          route: { ratePerSecond: 5, burst: 7 },
          perClient: { ratePerSecond: 0.5, burst: 4 },
        });
      } else {
        expect(got.perClient).toBeUndefined();
      }
    }
    expect(routeLimits({ fn: 'http-webhooks' }, limits).route).toEqual({ ratePerSecond: 100, burst: 200 });
    expect(routeLimits({ fn: 'http-privacy' }, limits).route).toEqual(limits.routes.admin);
  });
});
