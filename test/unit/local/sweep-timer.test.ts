import { afterEach, describe, expect, it, vi } from 'vitest';
import { SweepTimer } from '../../../lib/local/sweep-timer.js';
import type { SweepOptions, SweepResult } from '../../../lib/pipeline/sweep.js';

const empty: SweepResult = { requeued: [], errors: [] };

function recorder(gate?: Promise<void>) {
  const calls: SweepOptions[] = [];
  let running = 0;
  let overlapped = false;
  const sweep = async (options: SweepOptions) => {
    calls.push(options);
    running += 1;
    if (running > 1) overlapped = true;
    await gate;
    running -= 1;
    return empty;
  };
  return { calls, sweep, overlapped: () => overlapped };
}

/** A promise the test opens when it chooses. */
function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** Lets every pending callback and promise job run: whatever can settle without the test, has. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

afterEach(() => {
  vi.useRealTimers();
});

describe('SweepTimer (the local stand-in for the scheduled sweeper)', () => {
  it('sweeps everything pending at start, and drain waits for that sweep', async () => {
    const { opened, open } = gate();
    const r = recorder(opened);
    const timer = new SweepTimer({
      sweep: r.sweep,
      intervalMs: 0,
      periodic: { olderThanMs: 120_000 },
      startup: { olderThanMs: 0, lookbackHours: 720 },
    });
    timer.start();
    expect(r.calls).toEqual([{ olderThanMs: 0, lookbackHours: 720 }]);
    expect(timer.isIdle()).toBe(false);
    let drained = false;
    const draining = timer.drain().then(() => {
      drained = true;
    });
    await settle();
    expect(drained).toBe(false);
    expect(timer.isIdle()).toBe(false);
    open();
    await draining;
    expect(timer.isIdle()).toBe(true);
    await timer.stop();
  });

  it('runs one sweep at a time, on demand with the periodic options by default', async () => {
    const { opened, open } = gate();
    const r = recorder(opened);
    const timer = new SweepTimer({ sweep: r.sweep, intervalMs: 0, periodic: { olderThanMs: 60_000 } });
    const sweeps = Promise.all([timer.sweep(), timer.sweep({ olderThanMs: 0 }), timer.sweep()]);
    await settle();
    // The first sweep holds the others back until it ends.
    expect(r.calls).toEqual([{ olderThanMs: 60_000 }]);
    open();
    await sweeps;
    expect(r.calls).toEqual([{ olderThanMs: 60_000 }, { olderThanMs: 0 }, { olderThanMs: 60_000 }]);
    expect(r.overlapped()).toBe(false);
    await timer.stop();
  });

  it('sweeps every interval until stopped, and a failed sweep does not stop the timer', async () => {
    vi.useFakeTimers();
    let n = 0;
    const timer = new SweepTimer({
      sweep: async () => {
        n += 1;
        if (n === 1) throw new Error('store unavailable');
        return empty;
      },
      intervalMs: 5,
      periodic: {},
    });
    timer.start();
    expect(n).toBe(0); // no startup sweep configured: the first comes after one interval
    await vi.advanceTimersByTimeAsync(4);
    expect(n).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(n).toBe(1); // failed
    await vi.advanceTimersByTimeAsync(5);
    expect(n).toBe(2); // the next one still came
    await vi.advanceTimersByTimeAsync(5);
    expect(n).toBe(3);
    await timer.stop();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(n).toBe(3);
    expect(vi.getTimerCount()).toBe(0);
    await expect(
      new SweepTimer({
        sweep: async () => Promise.reject(new Error('x')),
        intervalMs: 0,
        periodic: {},
      }).sweep(),
    ).rejects.toThrow('x');
  });
});
