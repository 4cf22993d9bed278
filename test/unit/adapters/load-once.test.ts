import { describe, expect, it } from 'vitest';
import { loadOnce } from '../../../lib/adapters/load-once.js';

describe('loadOnce', () => {
  it('loads at the first call, not before, and shares that load with every later call', async () => {
    let loads = 0;
    const load = loadOnce(async () => ++loads);
    expect(loads).toBe(0);
    const [a, b] = await Promise.all([load(), load()]);
    expect([a, b, await load(), loads]).toEqual([1, 1, 1, 1]);
  });

  it('tries again after a failed load', async () => {
    let attempts = 0;
    const load = loadOnce(async () => {
      attempts++;
      if (attempts === 1) throw new Error('not yet');
      return 'loaded';
    });
    await expect(load()).rejects.toThrow('not yet');
    expect(await load()).toBe('loaded');
    expect(await load()).toBe('loaded');
    expect(attempts).toBe(2);
  });
});
