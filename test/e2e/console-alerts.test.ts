import { afterEach, describe, expect, it, vi } from 'vitest';
import { type RunningHub, startHub } from '../../lib/local/runtime.js';
import { ADMIN_TOKEN, testHubEnv } from './support.js';

describe('the local hub with no Slack configured (alerts printed)', () => {
  let hub: RunningHub | undefined;
  afterEach(async () => {
    await hub?.stop();
    vi.restoreAllMocks();
  });

  it('prints the alert with the lead id, score and source, and no contact details or answers', async () => {
    const printed: string[] = [];
    // Everything `npm start` would show: the log lines and the printed alert both go to stdout.
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    });
    hub = await startHub({
      env: testHubEnv(),
      tuning: { batchWindowMs: 10 },
    });
    const res = await fetch(`${hub.url}/forms/contact`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: 'Zelda.Quintero@Quintero-Robotics.com',
        name: 'zelda quintero',
        phone: '+1 415 555 2671',
        company: 'Quintero Robotics',
        job_title: 'Chief Wombat Officer',
        country: 'US',
        privacy_accepted: 'on',
        team_size: 'fifty-one to two hundred',
      }),
    });
    expect(res.status).toBe(202);
    await hub.drain();

    const out = printed.join('');
    const list = await fetch(`${hub.url}/api/leads?limit=1`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const [lead] = ((await list.json()) as { leads: { leadId: string; email?: string }[] }).leads;
    expect(lead?.email).toBe('zelda.quintero@quintero-robotics.com');
    // The alert was printed: a card for this lead, with its score and where it came from.
    expect(out).toContain(`New lead ${lead?.leadId}`);
    expect(out).toMatch(/Score \d+\/100 · Grade [A-D]/);
    expect(out).toContain(`GET /api/leads/${lead?.leadId}`);
    expect(out).toContain('Source: form');
    for (const pii of [
      'zelda',
      'quintero',
      // The phone as posted, in E.164, and as printed nationally.
      '555 2671',
      '5552671',
      '555-2671',
      'wombat',
      'fifty-one',
      // The email domain: part of the address.
      'robotics.com',
    ]) {
      expect(out.toLowerCase()).not.toContain(pii);
    }
  });
});
