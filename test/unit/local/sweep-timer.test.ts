import { describe, expect, it } from 'vitest';
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

describe('SweepTimer (the local stand-in for the scheduled sweeper)', () => {
  it('sweeps everything pending at start, and drain waits for that sweep', async () => {
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const r = recorder(gate);
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
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(drained).toBe(false);
    open();
    await draining;
    expect(timer.isIdle()).toBe(true);
    await timer.stop();
  });

  it('runs one sweep at a time, on demand with the periodic options by default', async () => {
    const r = recorder(new Promise((resolve) => setTimeout(resolve, 5)));
    const timer = new SweepTimer({ sweep: r.sweep, intervalMs: 0, periodic: { olderThanMs: 60_000 } });
    await Promise.all([timer.sweep(), timer.sweep({ olderThanMs: 0 }), timer.sweep()]);
    expect(r.calls).toEqual([{ olderThanMs: 60_000 }, { olderThanMs: 0 }, { olderThanMs: 60_000 }]);
    expect(r.overlapped()).toBe(false);
    await timer.stop();
  });

  it('sweeps every interval until stopped, and a failed sweep does not stop the timer', async () => {
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
    await new Promise((resolve) => setTimeout(resolve, 60));
    await timer.stop();
    const after = n;
    expect(after).toBeGreaterThanOrEqual(3);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(n).toBe(after);
    await expect(
      new SweepTimer({
        sweep: async () => Promise.reject(new Error('x')),
        intervalMs: 0,
        periodic: {},
      }).sweep(),
    ).rejects.toThrow('x');
  });
});
