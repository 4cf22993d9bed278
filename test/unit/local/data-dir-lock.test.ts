import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireLock, DataDirInUseError } from '../../../lib/local/data-dir-lock.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
async function lockPath(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'leadhub-lock-'));
  dirs.push(dir);
  return join(dir, 'sub', 'db.lock');
}

describe('acquireLock', () => {
  it('lets one holder in at a time and frees the lock on release', async () => {
    const path = await lockPath();
    const lock = await acquireLock(path, 'The db');
    expect((await readFile(path, 'utf8')).trim()).toBe(String(process.pid));
    await expect(acquireLock(path, 'The db')).rejects.toBeInstanceOf(DataDirInUseError);
    await expect(acquireLock(path, 'The db')).rejects.toThrow(
      /The db is in use by another hub in this process/,
    );
    await lock.release();
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
    const again = await acquireLock(path, 'The db');
    expect((await readFile(path, 'utf8')).trim()).toBe(String(process.pid));
    await again.release();
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
  });

  it('takes over a lock left by a process that is gone', async () => {
    const path = await lockPath();
    // A pid that surely existed and has exited: a child we ran to completion.
    const { pid } = spawnSync(process.execPath, ['-e', '0']);
    await acquireLock(path, 'x').then((l) => l.release());
    await writeFile(path, `${pid}\n`);
    const lock = await acquireLock(path, 'x');
    expect((await readFile(path, 'utf8')).trim()).toBe(String(process.pid));
    await lock.release();
  });

  it('takes over an unreadable (empty) lock file', async () => {
    const path = await lockPath();
    await acquireLock(path, 'x').then((l) => l.release());
    await writeFile(path, '');
    const lock = await acquireLock(path, 'x');
    // Taken over: the file now names this process, and a second taker is refused.
    expect((await readFile(path, 'utf8')).trim()).toBe(String(process.pid));
    await expect(acquireLock(path, 'x')).rejects.toBeInstanceOf(DataDirInUseError);
    await lock.release();
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
  });
});
