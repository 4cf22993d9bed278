import { describe, expect, it } from 'vitest';
import {
  canonicalEmail,
  identityKeyFor,
  identityKeyHash,
  identityKeys,
  PLUS_TAG_DOMAINS,
} from '../../../lib/lead/identity.js';

describe('canonicalEmail', () => {
  it('drops dots and +tags for Gmail, and treats googlemail.com as gmail.com', () => {
    expect(canonicalEmail('jane.doe+ads@gmail.com')).toBe('janedoe@gmail.com');
    expect(canonicalEmail('J.A.N.E.DOE@GoogleMail.com')).toBe('janedoe@gmail.com');
    expect(canonicalEmail('janedoe@gmail.com')).toBe('janedoe@gmail.com');
  });

  it('drops +tags (but not dots) for other providers known to deliver them', () => {
    expect(canonicalEmail('jane.doe+news@outlook.com')).toBe('jane.doe@outlook.com');
    expect(canonicalEmail('jane+x@icloud.com')).toBe('jane@icloud.com');
    expect(canonicalEmail('jane+x@proton.me')).toBe('jane@proton.me');
  });

  it('keeps dots and + on every other domain, where they may name another mailbox', () => {
    expect(canonicalEmail('sales+eu@acme.io')).toBe('sales+eu@acme.io');
    expect(canonicalEmail('jane.doe@acme.io')).toBe('jane.doe@acme.io');
    expect(canonicalEmail('jane+x@yahoo.com')).toBe('jane+x@yahoo.com');
    expect(PLUS_TAG_DOMAINS.has('yahoo.com')).toBe(false);
  });

  it('lower-cases, and leaves a local part that is only a tag alone', () => {
    expect(canonicalEmail(' Jane@ACME.io ')).toBe('jane@acme.io');
    expect(canonicalEmail('+promo@gmail.com')).toBe('+promo@gmail.com');
    expect(canonicalEmail('not-an-email')).toBe('not-an-email');
  });
});

describe('identityKeys', () => {
  it('gives provider variants of one mailbox the same key', () => {
    const a = identityKeys({ email: 'jane.doe+fb@gmail.com' }, 'p');
    const b = identityKeys({ email: 'janedoe@googlemail.com' }, 'p');
    expect(a).toEqual(b);
    expect(a[0]?.hash).toBe(identityKeyHash('p', 'email', 'janedoe@gmail.com'));
  });

  it('orders email, phone, then platform user ids, without duplicates', () => {
    const keys = identityKeys(
      {
        email: 'jane@acme.io',
        phone: '+14155552671',
        platformUserIds: [
          { source: 'linkedin', id: 'abc' },
          { source: 'linkedin', id: 'abc' },
        ],
      },
      'p',
    );
    expect(keys.map((k) => k.kind)).toEqual(['email', 'phone', 'platform']);
    expect(keys[2]?.hash).toBe(identityKeyHash('p', 'platform', 'linkedin:abc'));
  });

  it('depends on the pepper, and never contains the identifier', () => {
    const [a] = identityKeys({ email: 'jane@acme.io' }, 'p1');
    const [b] = identityKeys({ email: 'jane@acme.io' }, 'p2');
    expect(a?.hash).not.toBe(b?.hash);
    expect(a?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(identityKeyFor('p1', 'email', 'JANE@acme.io')).toEqual(a);
  });
});
