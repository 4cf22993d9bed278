/**
 * Token buckets for the local HTTP server: one per route (API Gateway's route throttle) and, on the routes
 * that ask for it, one per client address and route (what the optional WAF rule does on AWS).
 */
import type { LimitsConfig } from '../config.js';
import { type HttpRoute, LIMIT_GROUP } from '../routes.js';

/** `burst` requests at once, refilled at `ratePerSecond` (API Gateway's rate and burst). */
export interface BucketLimit {
  ratePerSecond: number;
  burst: number;
}

export type Admission = { admitted: true } | { admitted: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updatedMs: number;
  /** When the bucket is full again: from then on it is the same as no bucket, so it can go. */
  fullMs: number;
}

/** Keys tracked at most: a few hundred bytes each, so the whole map stays within a few MB. */
export const DEFAULT_MAX_BUCKETS = 10_000;

/**
 * Token buckets by key. Memory stays bounded under any number of distinct keys: buckets that have
 * refilled are dropped (a full bucket is the same as none), and past `maxBuckets` the least recently
 * used bucket goes, which at worst hands that key a fresh burst.
 */
export class TokenBuckets {
  /** Insertion order is last use: the first entries are the idlest. */
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxBuckets: number;

  constructor(
    private readonly nowMs: () => number,
    options: { maxBuckets?: number } = {},
  ) {
    this.maxBuckets = options.maxBuckets ?? DEFAULT_MAX_BUCKETS;
  }

  /** Takes a token for `key` if one is left; otherwise says how long until there is one. */
  take(key: string, limit: BucketLimit): Admission {
    const now = this.nowMs();
    const existing = this.buckets.get(key);
    let tokens = limit.burst;
    if (existing) {
      // A clock that steps back refills nothing rather than draining the bucket.
      const elapsedSeconds = Math.max(0, now - existing.updatedMs) / 1000;
      tokens = Math.min(limit.burst, existing.tokens + elapsedSeconds * limit.ratePerSecond);
      this.buckets.delete(key);
    }
    const admitted = tokens >= 1;
    if (admitted) tokens -= 1;
    const fullMs = now + ((limit.burst - tokens) / limit.ratePerSecond) * 1000;
    this.buckets.set(key, { tokens, updatedMs: now, fullMs });
    this.evict(now);
    if (admitted) return { admitted: true };
    return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / limit.ratePerSecond)) };
  }

  /** Buckets held now (for tests and the memory bound). */
  get size(): number {
    return this.buckets.size;
  }

  private evict(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.fullMs > now && this.buckets.size <= this.maxBuckets) break;
      this.buckets.delete(key);
    }
  }
}

/**
 * The key a client is limited by: an IPv4 address as is, an IPv6 address by its /64 network, since one
 * host commonly holds a whole /64 and could otherwise take a fresh bucket per address. An IPv6 address
 * carrying an IPv4 one (::ffff:192.0.2.1, NAT64's 64:ff9b::192.0.2.1) stands for that IPv4 client.
 */
export function clientKey(address: string): string {
  if (!address.includes(':')) return address;
  const embedded = /:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(address);
  if (embedded) return embedded[1] as string;
  const groups = expandIpv6(address.split('%')[0] as string);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : address;
}

/** The eight groups of an IPv6 address, without leading zeros; undefined when it is not one. */
function expandIpv6(address: string): string[] | undefined {
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  const groups = [...head, ...Array<string>(missing).fill('0'), ...tail];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return groups.map((g) => Number.parseInt(g, 16).toString(16));
}

/**
 * The client's address. With no trusted proxy, the socket's peer: X-Forwarded-For is whatever the client
 * wrote. Behind `trustedProxyHops` proxies of yours, each appending the address it saw, the client is the
 * entry the outermost one appended (the hops-th from the right); a shorter list means fewer proxies were
 * passed, and its first entry is the earliest address one of them saw.
 */
export function clientAddress(
  socketAddress: string,
  forwardedFor: readonly string[] | undefined,
  trustedProxyHops: number,
): string {
  if (trustedProxyHops === 0 || !forwardedFor || forwardedFor.length === 0) return socketAddress;
  const entries = forwardedFor
    .flatMap((value) => value.split(','))
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) return socketAddress;
  return entries[Math.max(0, entries.length - trustedProxyHops)] as string;
}

/** The throttles of one route: its own bucket, and optionally one per client address. */
export interface RouteLimits {
  route: BucketLimit;
  perClient?: BucketLimit;
}

export type ThrottleReason = 'client' | 'route';

/** Admits a request to a route, or says why not and when to retry. */
export class RequestLimiter {
  private readonly routes: TokenBuckets;
  private readonly clients: TokenBuckets;

  constructor(nowMs: () => number) {
    this.routes = new TokenBuckets(nowMs);
    this.clients = new TokenBuckets(nowMs);
  }

  admit(
    routeKey: string,
    limits: RouteLimits,
    client: string,
  ): { admitted: true } | { admitted: false; retryAfterSeconds: number; reason: ThrottleReason } {
    // The client's own bucket first, so that a client refused there takes nothing from the route's.
    if (limits.perClient) {
      const own = this.clients.take(`${routeKey} ${clientKey(client)}`, limits.perClient);
      if (!own.admitted) return { ...own, reason: 'client' };
    }
    const shared = this.routes.take(routeKey, limits.route);
    return shared.admitted ? shared : { ...shared, reason: 'route' };
  }
}

/**
 * A route's throttles from the config: its group's rate and burst (limits.routes), and on the form routes
 * a bucket per client address (limits.formsPerClient).
 */
export function routeLimits(route: Pick<HttpRoute, 'fn'>, limits: LimitsConfig): RouteLimits {
  const group = LIMIT_GROUP[route.fn];
  const { perMinute, burst } = limits.formsPerClient;
  return {
    route: limits.routes[group],
    ...(group === 'forms' ? { perClient: { ratePerSecond: perMinute / 60, burst } } : {}),
  };
}
