import { describe, expect, it } from 'vitest';
import { describeError, isTransientError, quarantineKey } from '../../../lib/pipeline/quarantine.js';

const aws = (name: string, status: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} happened`), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    ...extra,
  });

describe('isTransientError', () => {
  it('takes throttling, AWS 5xx, timeouts, network errors and the platform clients’ verdicts as transient', () => {
    for (const error of [
      aws('ProvisionedThroughputExceededException', 400),
      aws('ThrottlingException', 400),
      aws('InternalServerError', 500),
      aws('SomethingNew', 503),
      aws('SlowDown', 400, { $retryable: { throttling: true } }),
      aws('TooManyRequests', 429),
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      Object.assign(new Error('timed out'), { name: 'TimeoutError' }),
      Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }),
      Object.assign(new Error('wrapped'), { cause: aws('ServiceUnavailable', 503) }),
      Object.assign(new Error('graph down'), { name: 'MetaTransientError' }),
      Object.assign(new Error('linkedin down'), { name: 'LinkedInTransientError' }),
    ]) {
      expect(isTransientError(error), (error as Error).name).toBe(true);
    }
  });

  it('takes client faults and programming errors as deterministic', () => {
    for (const error of [
      aws('ValidationException', 400),
      aws('AccessDeniedException', 403),
      new TypeError('Cannot read properties of undefined'),
      new RangeError('Invalid time value'),
      new Error('LEADHUB_PEPPER is not configured'),
      'a string',
      undefined,
    ]) {
      expect(isTransientError(error), String(error)).toBe(false);
    }
  });
});

describe('describeError', () => {
  it('keeps the name and the gist, blanks quoted input, emails, URLs and phone-like numbers, and cuts it short', () => {
    expect(
      describeError(new SyntaxError('Unexpected token \'J\', "Jane Doe, jane@acme.io" is not valid JSON')),
    ).toBe('SyntaxError: Unexpected token …, … is not valid JSON');
    expect(
      describeError(new Error('no contact for jane@acme.io or +1 415 555 2671 at https://x.io/a?b=c')),
    ).toBe('Error: no contact for … or # at …');
    expect(describeError(Object.assign(new Error(''), { name: 'ValidationException' }))).toBe(
      'ValidationException',
    );
    expect(describeError('boom')).toBe('string');
    expect(describeError(new Error('x'.repeat(500)))).toHaveLength(200);
  });
});

describe('quarantineKey', () => {
  it('is the same for the same item whatever its key order, and differs for another item', () => {
    const a = quarantineKey({ field: 'leadgen', value: { page_id: '1', leadgen_id: 'x' } });
    expect(a).toMatch(/^q_[0-9a-f]{64}$/);
    expect(quarantineKey({ value: { leadgen_id: 'x', page_id: '1' }, field: 'leadgen' })).toBe(a);
    expect(quarantineKey({ field: 'leadgen', value: { page_id: '2', leadgen_id: 'x' } })).not.toBe(a);
  });
});
