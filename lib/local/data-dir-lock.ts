import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface DirLock {
  path: string;
  release(): Promise<void>;
}

export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
}

/**
 * Takes a pid lock file, so that a second hub on the same data dir fails with a clear message instead of
 * dynalite crashing the process on LevelDB's own lock. A lock whose process is gone is taken over.
 */
export async function acquireLock(path: string, what: string): Promise<DirLock> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      let released = false;
      return {
        path,
        async release() {
          if (released) return;
          released = true;
          await unlink(path).catch(() => undefined);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
      const who = holder === process.pid ? 'another hub in this process' : `process ${holder}`;
      throw new DataDirInUseError(
        `${what} is in use by ${who} (lock ${path}). Stop it, or give this hub its own LEADHUB_DATA_DIR.`,
      );
    }
    // Stale: its process died without cleaning up.
    await unlink(path).catch(() => undefined);
  }
  throw new DataDirInUseError(`Could not lock ${what} (lock ${path})`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
