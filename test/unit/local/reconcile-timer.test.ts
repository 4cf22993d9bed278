import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReconcileTimer } from '../../../lib/local/reconcile-timer.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function recorder() {
  const calls: (number | undefined)[] = [];
  let release: () => void = () => undefined;
  let gated = false;
  const run = async (options?: { lookbackHours?: number }) => {
    calls.push(options?.lookbackHours);
    if (gated) await new Promise<void>((resolve) => (release = resolve));
    return calls.length;
  };
  return {
    calls,
    run,
    gate: () => {
      gated = true;
    },
    release: () => release(),
  };
}

describe('ReconcileTimer (the local stand-in for the hourly reconcile rule)', () => {
  it('runs once shortly after start, then once per interval', async () => {
    const r = recorder();
    const timer = new ReconcileTimer({ run: r.run, intervalMs: 3_600_000, startupDelayMs: 30_000 });
    timer.start();
    await vi.advanceTimersByTimeAsync(29_999);
    expect(r.calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(r.calls).toEqual([undefined]);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(r.calls).toEqual([undefined, undefined]);
    await timer.stop();
    await vi.advanceTimersByTimeAsync(10 * 3_600_000);
    expect(r.calls).toHaveLength(2);
  });

  it('runs on demand with options, never two at once, and drain waits for the running one', async () => {
    const r = recorder();
    const timer = new ReconcileTimer({ run: r.run, intervalMs: 0, startupDelayMs: 0 });
    timer.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(r.calls).toEqual([]);

    r.gate();
    const first = timer.run({ lookbackHours: 24 });
    const second = timer.run({ lookbackHours: 6 });
    await vi.advanceTimersByTimeAsync(0);
    expect(r.calls).toEqual([24]);
    expect(timer.isIdle()).toBe(false);
    r.release();
    await first;
    await vi.advanceTimersByTimeAsync(0);
    expect(r.calls).toEqual([24, 6]);
    r.release();
    expect(await second).toBe(2);
    await timer.drain();
    expect(timer.isIdle()).toBe(true);
  });

  it('keeps its schedule after a failed run', async () => {
    let n = 0;
    const timer = new ReconcileTimer({
      run: async () => {
        n++;
        if (n === 1) throw new Error('graph down');
        return n;
      },
      intervalMs: 1_000,
      startupDelayMs: 10,
    });
    timer.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(n).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(n).toBe(2);
    await timer.stop();
  });
});
