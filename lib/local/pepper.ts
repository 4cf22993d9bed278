import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export type PepperOrigin = 'env' | 'file' | 'generated' | 'ephemeral';

export interface ResolvedPepper {
  pepper: string;
  origin: PepperOrigin;
  /** The file it lives in, when persisted. */
  path?: string;
}

export const PEPPER_FILE = 'pepper';

/**
 * The identity-key pepper: LEADHUB_PEPPER when set; otherwise 32 random bytes generated once and kept in
 * the data dir (mode 0600), so contact ids stay stable across restarts. Without persistence (in-memory
 * database) an ephemeral one is enough, since the data goes away with it.
 */
export async function resolvePepper(options: {
  configured?: string;
  dataDir: string;
  persist: boolean;
}): Promise<ResolvedPepper> {
  if (options.configured) return { pepper: options.configured, origin: 'env' };
  if (!options.persist) return { pepper: randomBytes(32).toString('hex'), origin: 'ephemeral' };

  const path = join(options.dataDir, PEPPER_FILE);
  const existing = await readPepper(path);
  if (existing !== undefined) return { pepper: existing, origin: 'file', path };

  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const pepper = randomBytes(32).toString('hex');
  // Written aside, then linked into place: link() fails if the file exists, so when two hubs start on
  // one data dir only one pepper wins, and nobody ever reads a half-written file.
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, `${pepper}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const winner = await readPepper(path);
    if (winner === undefined) throw new Error(`Pepper file ${path} vanished while starting`);
    return { pepper: winner, origin: 'file', path };
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  return { pepper, origin: 'generated', path };
}

async function readPepper(path: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const pepper = text.trim();
  if (!/^[0-9a-f]{64}$/.test(pepper)) {
    throw new Error(
      `Pepper file ${path} is corrupt (expected 64 hex characters); restore it or set LEADHUB_PEPPER`,
    );
  }
  // Someone loosened the mode: tighten it again, the pepper is a secret.
  if (((await stat(path)).mode & 0o077) !== 0) await chmod(path, 0o600);
  return pepper;
}
