import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventContracts } from '../../events/contracts.js';
import type { InProcessBus, LocalBusEvent } from '../../lib/local/in-process-bus.js';
import { FORM_SECRET, startFakeSlack, startTestHub } from './support.js';

type Hub = Awaited<ReturnType<typeof startTestHub>>;
type Slack = Awaited<ReturnType<typeof startFakeSlack>>;

const lead = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    email: 'Maria.Garcia@Acme-Robotics.com',
    name: 'maria garcia',
    phone: '+1 415 555 2671',
    company: 'Acme Robotics',
    job_title: 'VP Sales',
    privacy_accepted: 'on',
    marketing_opt_in: 'on',
    team_size: '51-200',
    utm_source: 'google',
    utm_medium: 'cpc',
    ...overrides,
  });

describe('the whole pipeline on the local runtime', () => {
  let slack: Slack;
  let t: Hub;

  beforeEach(async () => {
    slack = await startFakeSlack();
    t = await startTestHub(slack.url);
  });
  afterEach(async () => {
    await t.hub.stop();
    await slack.close();
  });

  it('takes a form lead through capture, scoring and the bus into Slack, once', async () => {
    const res = await t.postForm('contact', lead());
    expect(res.status).toBe(202);
    const { submissionId } = (await res.json()) as { submissionId: string };
    expect(submissionId).toMatch(/^h_/);
    await t.hub.drain();

    expect(slack.posts).toHaveLength(1);
    const alert = JSON.stringify(slack.posts[0]?.body);
    expect(alert).toContain('Maria Garcia');
    expect(alert).toContain('Acme Robotics');

    const list = await t.admin('/api/leads?limit=10');
    const leads = list.body.leads as {
      leadId: string;
      contactId: string;
      scoring?: { score: number; grade: string };
    }[];
    expect(leads).toHaveLength(1);
    const [stored] = leads;
    expect(stored?.scoring?.score).toBeGreaterThan(50);

    const contact = await t.admin(`/api/contacts/${stored?.contactId}`);
    expect(contact.status).toBe(200);
    const consents = contact.body.consents as { purpose: string; granted: boolean; ip?: string }[];
    expect(consents.map((c) => [c.purpose, c.granted]).sort()).toEqual([
      ['marketing_email', true],
      ['privacy_policy', true],
    ]);
    expect(consents[0]?.ip).toBe('127.0.0.1');
    expect(t.logs.join('\n')).not.toContain('maria.garcia@acme-robotics.com');
  });

  it('publishes no personal value on the bus: a subscriber (and the archive) gets ids, the alert the person', async () => {
    const published: LocalBusEvent[] = [];
    (t.hub.deps.bus as InProcessBus).addRule({
      name: 'subscriber',
      pattern: { source: ['leadhub'], 'detail-type': Object.keys(EventContracts) },
      target: { kind: 'function', invoke: async (event) => void published.push(event) },
    });
    const person = {
      email: 'Jane.Quinlan@Acme-Rockets.io',
      name: 'Jane Quinlan-Doe',
      phone: '+1 415 555 2671',
      company: 'Acme Rockets Intl',
      job_title: 'VP Revenue Operations',
      team_size: 'forty-two seats by March',
      landing_url: 'https://www.example.com/demo?email=jane.quinlan%40acme-rockets.io&utm_medium=cpc',
      referrer: 'https://search.example/?q=jane+quinlan',
      gclid: 'Cj0KCQsecretclick',
    };
    expect((await t.postForm('contact', lead(person))).status).toBe(202);
    await t.hub.drain();

    expect(published.map((e) => e['detail-type'])).toEqual(['LeadCaptured', 'LeadScored']);
    const onTheBus = JSON.stringify(published).toLowerCase();
    for (const value of [
      'quinlan',
      'acme-rockets',
      '4155552671',
      'acme rockets',
      'revenue operations',
      'forty-two',
      'www.example.com',
      'search.example',
      'cj0kcqsecretclick',
      '127.0.0.1',
    ]) {
      expect(onTheBus, value).not.toContain(value);
    }
    expect(published.map((e) => (e.detail as { version: string }).version)).toEqual(['2', '2']);
    // The alert is built from the stored lead.
    const alert = JSON.stringify(slack.posts[0]?.body);
    for (const shown of [
      'Jane Quinlan-Doe',
      'Acme Rockets Intl',
      'jane.quinlan@acme-rockets.io',
      'forty-two',
    ]) {
      expect(alert).toContain(shown);
    }
  });

  it('captures, scores and alerts a 60 KiB post of control bytes, cleaned at capture', async () => {
    // Each control byte escapes to 6 bytes in JSON: uncleaned, this lead's events would be over 350 KB.
    const noise = (n: number) => Buffer.alloc(n, 0x01).toString('latin1');
    const form = [
      'email=ctrl%40example-corp.com',
      'privacy_accepted=on',
      `company=${encodeURIComponent('Acme\u202e\u2066gnp.exe\u2069')}`,
      ...Array.from({ length: 7 }, (_, i) => `q${i}=${noise(i < 6 ? 10_000 : 2_000)}`),
    ].join('&');
    expect(form.length).toBeGreaterThan(60 * 1024);
    expect(form.length).toBeLessThan(64 * 1024);
    const res = await t.postForm('contact', form, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(202);
    await t.hub.drain();

    expect(t.hub.deadLetters()).toEqual({ capture: [], enrich: [], slack: [] });
    const leads = (await t.admin('/api/leads?limit=10')).body.leads as {
      company?: string;
      answers: { key: string; values: string[] }[];
      scoring?: { score: number };
    }[];
    expect(leads).toHaveLength(1);
    expect(leads[0]?.company).toBe('Acmegnp.exe');
    expect(leads[0]?.answers).toEqual(Array.from({ length: 7 }, (_, i) => ({ key: `q${i}`, values: [''] })));
    expect(leads[0]?.scoring).toBeDefined();
    expect(slack.posts).toHaveLength(1);
    expect(JSON.stringify(slack.posts[0]?.body)).not.toMatch(/\\u202e|\u202e/);
  });

  it('keeps no landing page from a Referer longer than a field may be, on the lead or its consents', async () => {
    const referer = `https://www.example.com/landing?utm_source=ads&q=${'x'.repeat(12_000)}`;
    expect((await t.postForm('contact', lead(), { referer })).status).toBe(202);
    await t.hub.drain();
    const leads = (await t.admin('/api/leads?limit=10')).body.leads as {
      contactId: string;
      attribution: { landingUrl?: string; utm: Record<string, string> };
    }[];
    expect(leads).toHaveLength(1);
    expect(leads[0]?.attribution.landingUrl).toBeUndefined();
    const contact = await t.admin(`/api/contacts/${leads[0]?.contactId}`);
    const consents = contact.body.consents as { pageUrl?: string }[];
    expect(consents).toHaveLength(2);
    expect(consents.every((c) => c.pageUrl === undefined)).toBe(true);
    expect(JSON.stringify(contact.body)).not.toContain('x'.repeat(1_000));
  });

  it('makes one lead and one alert from ten concurrent duplicates', async () => {
    const body = lead({ submission_id: 'dup-123' });
    const answers = await Promise.all(Array.from({ length: 10 }, () => t.postForm('contact', body)));
    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(202));
    await t.hub.drain();
    expect(((await t.admin('/api/leads?limit=10')).body.leads as unknown[]).length).toBe(1);
    expect(slack.posts).toHaveLength(1);
  });

  it('keeps and alerts a real lead whose submission_id someone claimed first with other content', async () => {
    const id = { submission_id: 'web-1001' };
    const squat = await t.postForm(
      'contact',
      lead({ ...id, email: 'squatter@example.net', name: 'sam squat' }),
    );
    const real = await t.postForm('contact', lead(id));
    const retry = await t.postForm('contact', lead(id));
    const answers = [squat, real, retry].map((r) => r.json() as Promise<Record<string, unknown>>);
    const [squatted, kept, retried] = await Promise.all(answers);
    expect(kept).toMatchObject({ duplicate: false, conflict: true });
    expect(kept?.submissionId).not.toBe(squatted?.submissionId);
    expect(retried).toMatchObject({ submissionId: kept?.submissionId, duplicate: true, conflict: true });
    await t.hub.drain();

    const leads = (await t.admin('/api/leads?limit=10')).body.leads as {
      email?: string;
      platformLeadId: string;
    }[];
    expect(leads.map((l) => [l.platformLeadId, l.email]).sort()).toEqual(
      [
        [kept?.submissionId, 'maria.garcia@acme-robotics.com'],
        [squatted?.submissionId, 'squatter@example.net'],
      ].sort(),
    );
    expect(slack.posts.filter((p) => JSON.stringify(p.body).includes('Maria Garcia'))).toHaveLength(1);
    const warning = t.logs.find((line) => line.includes('reused with other content'));
    expect(warning).toContain(String(kept?.submissionId));
    expect(warning).not.toContain('maria');
  });

  it('makes one contact from two submissions whose emails differ only in case', async () => {
    expect((await t.postForm('contact', lead({ email: 'SAM@Example-Corp.com', phone: '' }))).status).toBe(
      202,
    );
    expect(
      (await t.postForm('contact', lead({ email: 'sam@example-corp.com', phone: '', team_size: '1-10' })))
        .status,
    ).toBe(202);
    await t.hub.drain();
    const leads = (await t.admin('/api/leads?limit=10')).body.leads as { contactId: string }[];
    expect(leads).toHaveLength(2);
    expect(new Set(leads.map((l) => l.contactId)).size).toBe(1);
    const contact = await t.admin(`/api/contacts/${leads[0]?.contactId}`);
    expect((contact.body.profile as { leadCount: number }).leadCount).toBe(2);
  });

  it('stores nothing for forged, malformed, oversize, unknown-form and honeypot requests', async () => {
    const signed = lead();
    const forged = createHmac('sha256', 'not-the-secret').update(signed).digest('hex');
    const cases: [Promise<Response>, number][] = [
      [t.postForm('contact', signed, { 'x-leadhub-signature': `sha256=${forged}` }), 401],
      [t.postForm('contact', '{"email": "broken'), 400],
      [t.postForm('contact', lead({ email: 'not-an-email' })), 400],
      [t.postForm('contact', lead({ privacy_accepted: '' })), 400],
      [t.postForm('contact', lead({ note: 'x'.repeat(70 * 1024) })), 413],
      [t.postForm('nope', lead()), 404],
      [t.postForm('contact', lead(), { 'content-type': 'text/plain' }), 415],
      [t.postForm('contact', lead({ website: 'http://spam.example' })), 202],
    ];
    for (const [response, status] of cases) {
      const res = await response;
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/json');
    }
    await t.hub.drain();
    expect(((await t.admin('/api/leads?limit=10')).body.leads as unknown[]).length).toBe(0);
    expect(slack.posts).toHaveLength(0);
  });

  it('accepts a correctly signed server-to-server post', async () => {
    const body = lead({ email: 'partner@example-corp.com' });
    const signature = createHmac('sha256', FORM_SECRET).update(body).digest('hex');
    const res = await t.postForm('contact', body, { 'x-leadhub-signature': `sha256=${signature}` });
    expect(res.status).toBe(202);
    await t.hub.drain();
    expect(slack.posts).toHaveLength(1);
  });

  it('retries a failed Slack post and still alerts once', async () => {
    slack.failNextPosts(1);
    expect((await t.postForm('contact', lead())).status).toBe(202);
    await t.hub.drain();
    expect(slack.posts).toHaveLength(1);
    expect(t.hub.deadLetters().slack).toHaveLength(0);
  });

  it('serves /health, refuses the admin API without a token and answers unknown paths with 404 JSON', async () => {
    expect((await fetch(`${t.hub.url}/health`)).status).toBe(200);
    expect((await fetch(`${t.hub.url}/api/leads`)).status).toBe(401);
    const missing = await fetch(`${t.hub.url}/nowhere`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: string }).error).toBe('not_found');
  });
});
