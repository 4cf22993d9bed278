import { type ChildProcess, fork } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { acquireLock, type DirLock } from './data-dir-lock.js';

export interface LocalDynamo {
  endpoint: string;
  /** Where the data lives; undefined in memory. */
  path?: string;
  /** The database process. */
  pid: number;
  /** The database process's memory, after a full collection when `gc` is set. */
  memory(gc?: boolean): Promise<NodeJS.MemoryUsage>;
  close(): Promise<void>;
}

export interface StartDynaliteOptions {
  /** Persist under this directory; in memory without one. */
  path?: string;
  /** Called when the database process ends without being asked to: the hub cannot go on without it. */
  onUnexpectedExit?: (reason: string) => void;
}

const CHILD_SCRIPT = fileURLToPath(new URL('./dynalite-child.mjs', import.meta.url));

/**
 * Starts dynalite on 127.0.0.1 (a free port) in a child process: it is the busiest part of a local hub,
 * and in its own process it runs on the second core beside the hub's event loop.
 */
export async function startDynalite(options: StartDynaliteOptions = {}): Promise<LocalDynamo> {
  let lock: DirLock | undefined;
  if (options.path) {
    // LevelDB allows one opener; dynalite would fail on the second one's first request.
    lock = await acquireLock(`${options.path}.lock`, `The local database ${options.path}`);
    await mkdir(options.path, { recursive: true, mode: 0o700 });
  }
  let child: ChildProcess;
  let port: number;
  try {
    child = fork(CHILD_SCRIPT, [JSON.stringify(options.path ? { path: options.path } : {})], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    port = await new Promise<number>((resolve, reject) => {
      child.once('message', (message: { port?: number; error?: string }) =>
        message.port ? resolve(message.port) : reject(new Error(`dynalite: ${message.error}`)),
      );
      child.once('error', reject);
      child.once('exit', (code, signal) => reject(new Error(`dynalite exited on start (${signal ?? code})`)));
    });
  } catch (error) {
    await lock?.release();
    throw error;
  }
  child.removeAllListeners('exit');
  child.removeAllListeners('error');
  let closing: Promise<void> | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      if (!closing) options.onUnexpectedExit?.(`the database process exited (${signal ?? `code ${code}`})`);
      resolve();
    });
  });
  child.on('error', () => undefined); // A send to an exiting child; 'exit' reports the outcome.
  let nextMemoryId = 0;
  const memory = (gc = false) =>
    new Promise<NodeJS.MemoryUsage>((resolve, reject) => {
      const id = ++nextMemoryId;
      const timer = setTimeout(() => {
        child.off('message', onMessage);
        reject(new Error('the database process did not report its memory'));
      }, 5_000);
      const onMessage = (message: { id?: number; memory?: NodeJS.MemoryUsage }) => {
        if (message.id !== id || !message.memory) return;
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(message.memory);
      };
      child.on('message', onMessage);
      child.send({ cmd: 'memory', id, gc });
    });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    pid: child.pid as number,
    memory,
    ...(options.path ? { path: options.path } : {}),
    close() {
      closing ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          if (child.connected) child.send('stop');
          else child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(timer);
        }
      })().finally(() => lock?.release());
      return closing;
    },
  };
}
