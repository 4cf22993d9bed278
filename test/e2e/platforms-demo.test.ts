import { describe, expect, it } from 'vitest';

describe('npm run demo (every platform)', () => {
  it('plays Meta, LinkedIn, TikTok and Google Ads on one hub, with one person on two platforms', async () => {
    const { runDemo } = await import('../../lib/sandbox/platforms-demo.js');
    const lines: string[] = [];
    const result = await runDemo({ write: (line) => lines.push(line), paceMs: 0 });
    const { platforms } = result;

    const by = (source: string, suffix: string) =>
      platforms.outcomes.find((o) => o.source === source && o.platformLeadId.endsWith(suffix));
    expect(by('linkedin', '-1')).toMatchObject({
      receipt: 'captured',
      stored: true,
      alert: 'alerted (main channel)',
    });
    expect(by('linkedin', '-2')).toMatchObject({ receipt: 'deleted', stored: true });
    expect(by('linkedin', '-3')).toMatchObject({ isTest: true, alert: 'not alerted (test-lead)' });
    expect(by('linkedin', '-4')).toMatchObject({ receipt: 'deleted', stored: false });
    expect(by('tiktok', '456')).toMatchObject({
      receipt: 'captured',
      trust: 'path token passed, signature verified',
    });
    expect(by('tiktok', '457')).toMatchObject({
      receipt: 'captured',
      trust: 'path token passed, signature absent',
    });
    expect(by('tiktok', '458')).toMatchObject({ isTest: true });
    expect(platforms.outcomes.filter((o) => o.source === 'google').map((o) => [o.receipt, o.isTest])).toEqual(
      [
        ['captured', false],
        ['captured', true],
      ],
    );
    expect(platforms.deletions.map((d) => d.captured)).toEqual([false, true]);
    expect(platforms.crossPlatform).toMatchObject({ leadCount: 2, sources: ['linkedin', 'meta'] });

    const statuses = (platform: string) =>
      platforms.answers.filter((a) => a.platform === platform).map((a) => a.status);
    expect(statuses('linkedin')).toEqual([200, 200, 200, 200, 401, 200]);
    expect(statuses('tiktok')).toEqual([200, 200, 200, 200, 200, 404, 401]);
    expect(statuses('google')).toEqual([200, 200, 200, 401]);
    expect(platforms.linkedInReads).toEqual({ leads: 3, forms: 1 });
    // Meta's stream is unchanged; the other platforms add five alerts (test leads stay out).
    expect(result.alertsPosted).toBe(10);
    const text = lines.join('\n');
    expect(text).toContain('One person, two platforms');
    expect(text).toContain('LinkedIn Lead Gen Forms');
  });
});
