import { describe, expect, it } from 'vitest';
import { STOP_REPEAT_WINDOW_MS, stopOnSignals } from '../../../lib/local/stop-signals.js';

function harness(repeatWindowMs?: number) {
  let clock = 0;
  const calls: string[] = [];
  const handle = stopOnSignals({
    ...(repeatWindowMs === undefined ? {} : { repeatWindowMs }),
    now: () => clock,
    onStop: (signal) => calls.push(`stop ${signal}`),
    onRepeat: (signal) => calls.push(`repeat ${signal}`),
    onForce: (signal) => calls.push(`force ${signal}`),
  });
  return {
    calls,
    signal(name: string, atMs: number) {
      clock = atMs;
      handle(name);
    },
  };
}

describe('stopOnSignals (one Ctrl-C delivered several times)', () => {
  it('takes signals within the window as the first one, and forces on one after it', () => {
    const h = harness(1_000);
    h.signal('SIGINT', 5_000);
    h.signal('SIGINT', 5_000); // the process group's copy
    h.signal('SIGINT', 5_030); // a wrapper's relay
    h.signal('SIGTERM', 5_999);
    expect(h.calls).toEqual(['stop SIGINT', 'repeat SIGINT', 'repeat SIGINT', 'repeat SIGTERM']);
    h.signal('SIGINT', 6_000);
    expect(h.calls.at(-1)).toBe('force SIGINT');
  });

  it('measures the window from the first signal, so a stream of repeats cannot hold off a force', () => {
    const h = harness(1_000);
    for (let at = 0; at < 1_000; at += 400) h.signal('SIGINT', at);
    h.signal('SIGINT', 1_200);
    expect(h.calls).toEqual(['stop SIGINT', 'repeat SIGINT', 'repeat SIGINT', 'force SIGINT']);
  });

  it('has a one-second window by default', () => {
    expect(STOP_REPEAT_WINDOW_MS).toBe(1_000);
    const h = harness();
    h.signal('SIGINT', 0);
    h.signal('SIGINT', 999);
    h.signal('SIGINT', 1_000);
    expect(h.calls).toEqual(['stop SIGINT', 'repeat SIGINT', 'force SIGINT']);
  });
});
