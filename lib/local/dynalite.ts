import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { acquireLock, type DirLock } from './data-dir-lock.js';

export interface LocalDynamo {
  endpoint: string;
  /** Where the data lives; undefined in memory. */
  path?: string;
  close(): Promise<void>;
}

/** Starts dynalite on 127.0.0.1 (a free port), persisted under `path` or in memory without one. */
export async function startDynalite(options: { path?: string } = {}): Promise<LocalDynamo> {
  let lock: DirLock | undefined;
  if (options.path) {
    // LevelDB allows one opener; dynalite would crash the process on the second one's first request.
    lock = await acquireLock(`${options.path}.lock`, `The local database ${options.path}`);
    await mkdir(options.path, { recursive: true, mode: 0o700 });
  }
  const server = dynalite({
    ...(options.path ? { path: options.path } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await lock?.release();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    ...(options.path ? { path: options.path } : {}),
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error?: Error) => (error ? reject(error) : resolve()));
        // Clients' keep-alive sockets would otherwise hold the close open.
        server.closeIdleConnections();
      }).finally(() => lock?.release());
      return closing;
    },
  };
}
