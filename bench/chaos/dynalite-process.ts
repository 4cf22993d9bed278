import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface DynaliteProcess {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * dynalite (in-memory) in a process of its own on 127.0.0.1: it is the busiest part of a local hub, and
 * in its own process it has the second core to itself instead of sharing the hub's event loop.
 */
export async function startDynaliteProcess(): Promise<DynaliteProcess> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./dynalite-child.ts', import.meta.url)), [], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.once('message', (message: { endpoint?: string; error?: string }) =>
      message.endpoint ? resolve(message.endpoint) : reject(new Error(`dynalite: ${message.error}`)),
    );
    child.once('exit', (code) => reject(new Error(`dynalite process exited (code ${code})`)));
  });
  return {
    endpoint,
    close: async () => {
      if (child.exitCode !== null) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await gone;
    },
  };
}
