import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { HubUsage } from '../usage.js';
import type { ChildRequest, ChildResponse, HubProcessOptions } from './protocol.js';

/** Distributive Omit, so each request keeps its own fields. */
type Command = ChildRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export type HubMemory = NodeJS.MemoryUsage & { databaseRss?: number };

export interface HubProcess {
  url: string;
  pid: number;
  usage(): Promise<HubUsage>;
  reset(): Promise<void>;
  /** Waits until no request, message or event is pending (or the timeout passes). */
  drain(timeoutMs: number): Promise<{ ms: number; drained: boolean }>;
  /** The hub process's memory, and its database process's RSS when it started one. */
  memory(gc?: boolean): Promise<HubMemory>;
  /** Stops the hub cleanly: in-flight work drains first. */
  stop(): Promise<void>;
  /** Ends the process at once, backlog and all (after a load run whose backlog is of no interest). */
  kill(): Promise<void>;
}

/**
 * Starts the local runtime (lib/local/runtime.ts, instrumented) in a child Node process, on 127.0.0.1.
 * The child inherits tsx's loader from this process and runs with --expose-gc for memory readings.
 */
export async function startHubProcess(
  options: HubProcessOptions,
  /** Extra Node flags for the child, e.g. --cpu-prof to profile the runtime. */
  nodeFlags: readonly string[] = [],
): Promise<HubProcess> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./child.ts', import.meta.url)), [], {
    execArgv: [...process.execArgv, '--expose-gc', ...nodeFlags],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let exited = false;
  child.on('message', (message: ChildResponse) => {
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.ok) waiter.resolve(message.result);
    else waiter.reject(new Error(`hub process: ${message.error}`));
  });
  child.on('exit', (code, signal) => {
    exited = true;
    for (const waiter of pending.values()) {
      waiter.reject(new Error(`hub process exited (code ${code}, signal ${signal})`));
    }
    pending.clear();
  });

  const call = <T>(command: Command): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (exited) return reject(new Error('hub process has exited'));
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ ...command, id } as ChildRequest);
    });

  let started: { url: string };
  try {
    started = await call<{ url: string }>({ cmd: 'start', options });
  } catch (error) {
    child.kill();
    throw error;
  }

  return {
    url: started.url,
    pid: child.pid ?? -1,
    usage: () => call<HubUsage>({ cmd: 'usage' }),
    reset: () => call<void>({ cmd: 'reset' }),
    drain: (timeoutMs) => call({ cmd: 'drain', timeoutMs }),
    memory: (gc = false) => call<HubMemory>({ cmd: 'memory', gc }),
    async kill() {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await gone;
    },
    async stop() {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try {
        await call<void>({ cmd: 'stop' });
      } finally {
        child.disconnect();
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await gone;
        clearTimeout(timer);
      }
    },
  };
}
