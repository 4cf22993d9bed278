import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseEnv } from '../../../lib/config.js';
import { createEnvSecrets } from '../../../lib/local/env-secrets.js';
import { PEPPER_FILE, resolvePepper } from '../../../lib/local/pepper.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'leadhub-pepper-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('resolvePepper', () => {
  it('generates 32 random bytes once, keeps them with mode 0600, and reuses them', async () => {
    const dataDir = join(await tempDir(), 'nested', '.leadhub');
    const first = await resolvePepper({ dataDir, persist: true });
    expect(first.origin).toBe('generated');
    expect(first.pepper).toMatch(/^[0-9a-f]{64}$/);
    const path = join(dataDir, PEPPER_FILE);
    expect(first.path).toBe(path);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await readFile(path, 'utf8')).trim()).toBe(first.pepper);

    const second = await resolvePepper({ dataDir, persist: true });
    expect(second).toEqual({ pepper: first.pepper, origin: 'file', path });
  });

  it('gives different data dirs different peppers', async () => {
    const a = await resolvePepper({ dataDir: await tempDir(), persist: true });
    const b = await resolvePepper({ dataDir: await tempDir(), persist: true });
    expect(a.pepper).not.toBe(b.pepper);
  });

  it('uses LEADHUB_PEPPER when set and writes nothing', async () => {
    const dataDir = await tempDir();
    const resolved = await resolvePepper({ configured: 'from-env', dataDir, persist: true });
    expect(resolved).toEqual({ pepper: 'from-env', origin: 'env' });
    await expect(stat(join(dataDir, PEPPER_FILE))).rejects.toThrow(/ENOENT/);
  });

  it('makes an ephemeral pepper without persistence', async () => {
    const dataDir = await tempDir();
    const a = await resolvePepper({ dataDir, persist: false });
    const b = await resolvePepper({ dataDir, persist: false });
    expect(a.origin).toBe('ephemeral');
    expect(a.pepper).toMatch(/^[0-9a-f]{64}$/);
    expect(a.pepper).not.toBe(b.pepper);
    await expect(stat(join(dataDir, PEPPER_FILE))).rejects.toThrow(/ENOENT/);
  });

  it('agrees on one pepper when two starts race on an empty data dir', async () => {
    const dataDir = await tempDir();
    const results = await Promise.all([1, 2, 3].map(() => resolvePepper({ dataDir, persist: true })));
    expect(new Set(results.map((r) => r.pepper)).size).toBe(1);
  });

  it('refuses a corrupt pepper file instead of silently replacing it', async () => {
    const dataDir = await tempDir();
    await writeFile(join(dataDir, PEPPER_FILE), 'not a pepper\n');
    await expect(resolvePepper({ dataDir, persist: true })).rejects.toThrow(/corrupt/);
  });

  it('tightens a pepper file someone made readable to others', async () => {
    const dataDir = await tempDir();
    const { pepper } = await resolvePepper({ dataDir, persist: true });
    const path = join(dataDir, PEPPER_FILE);
    await chmod(path, 0o644);
    expect((await resolvePepper({ dataDir, persist: true })).pepper).toBe(pepper);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });
});

describe('createEnvSecrets', () => {
  it('reads the secrets from the environment, with fallbacks for unset ones', async () => {
    const env = parseEnv({
      LEADHUB_ADMIN_TOKEN: 'admin',
      LEADHUB_FORM_SECRET: '',
      SLACK_WEBHOOK_URL: 'https://hooks.example.com/x',
    });
    const secrets = createEnvSecrets(env, { LEADHUB_PEPPER: 'generated', LEADHUB_ADMIN_TOKEN: 'ignored' });
    expect(await secrets.get('LEADHUB_ADMIN_TOKEN')).toBe('admin');
    expect(await secrets.get('LEADHUB_PEPPER')).toBe('generated');
    expect(await secrets.get('SLACK_WEBHOOK_URL')).toBe('https://hooks.example.com/x');
    // an empty variable counts as unset
    expect(await secrets.get('LEADHUB_FORM_SECRET')).toBeUndefined();
  });

  it('prefers LEADHUB_PEPPER from the environment over the generated one', async () => {
    const secrets = createEnvSecrets(parseEnv({ LEADHUB_PEPPER: 'set' }), { LEADHUB_PEPPER: 'generated' });
    expect(await secrets.get('LEADHUB_PEPPER')).toBe('set');
  });
});
