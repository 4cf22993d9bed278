/**
 * The local runtime under test, in a process of its own so that the load generator does not share its
 * event loop and its memory can be read alone. Driven over IPC by bench/hub/client.ts.
 */
import { type RunningHub, startHub } from '../../lib/local/runtime.js';
import type { DynamoMeter } from '../dynamo-meter.js';
import { emptyUsage, type HubUsage } from '../usage.js';
import { instrumentedFactories } from './instrument.js';
import type { ChildRequest, ChildResponse, HubProcessOptions } from './protocol.js';

let hub: RunningHub | undefined;
let usage: HubUsage = emptyUsage();
let meter: DynamoMeter | undefined;

async function start(options: HubProcessOptions): Promise<{ url: string }> {
  if (hub) throw new Error('hub already started');
  const instrumented = instrumentedFactories(usage, {
    meter: options.meter,
    ingestOnly: options.ingestOnly ?? false,
  });
  meter = instrumented.meter;
  hub = await startHub({
    env: options.env,
    config: options.config,
    tuning: options.tuning,
    port: 0,
    factories: instrumented.factories,
    log: (line) => {
      usage.logs.lines += 1;
      usage.logs.bytes += Buffer.byteLength(line) + 1;
    },
  });
  return { url: hub.url };
}

async function drain(timeoutMs: number): Promise<{ ms: number; drained: boolean }> {
  if (!hub) throw new Error('hub not started');
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const drained = await Promise.race([
    hub.drain().then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  return { ms: performance.now() - started, drained };
}

function snapshot(): HubUsage {
  const dead = hub?.deadLetters();
  return {
    ...structuredClone(usage),
    ...(meter ? { dynamo: meter.snapshot() } : {}),
    ...(dead
      ? {
          deadLetters: { capture: dead.capture.length, enrich: dead.enrich.length, slack: dead.slack.length },
        }
      : {}),
  };
}

async function handle(request: ChildRequest): Promise<unknown> {
  switch (request.cmd) {
    case 'start':
      return start(request.options);
    case 'usage':
      return snapshot();
    case 'reset':
      usage = resetInPlace(usage);
      meter?.reset();
      return null;
    case 'drain':
      return drain(request.timeoutMs);
    case 'memory': {
      if (request.gc) (globalThis as { gc?: () => void }).gc?.();
      const databaseRss = (await hub?.databaseMemory?.(request.gc))?.rss;
      return { ...process.memoryUsage(), ...(databaseRss !== undefined ? { databaseRss } : {}) };
    }
    case 'stop':
      await hub?.stop();
      hub = undefined;
      return null;
  }
}

/** Zeroes every counter while keeping the object the wrappers hold on to. */
function resetInPlace(current: HubUsage): HubUsage {
  const fresh = emptyUsage();
  for (const key of Object.keys(fresh) as (keyof HubUsage)[]) {
    (current as unknown as Record<string, unknown>)[key] = fresh[key];
  }
  return current;
}

process.on('message', (request: ChildRequest) => {
  handle(request).then(
    (result) => process.send?.({ id: request.id, ok: true, result } satisfies ChildResponse),
    (error: unknown) =>
      process.send?.({
        id: request.id,
        ok: false,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      } satisfies ChildResponse),
  );
});
process.on('disconnect', () => {
  void (hub?.stop() ?? Promise.resolve()).finally(() => process.exit(0));
});
