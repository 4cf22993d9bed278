import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunningHub } from '../../../lib/local/runtime.js';
import { openLocalHub } from '../../../scripts/local-hub.js';

const dirs: string[] = [];
const hubs: RunningHub[] = [];
afterEach(async () => {
  for (const hub of hubs.splice(0)) await hub.stop();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'leadhub-command-'));
  dirs.push(dir);
  vi.stubEnv('LEADHUB_DATA_DIR', dir);
  vi.stubEnv('DYNAMODB_ENDPOINT', undefined);
  vi.stubEnv('LEADHUB_DB', 'file');
  return dir;
}

function stderr(): string[] {
  const lines: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  return lines;
}

const options = { command: 'replay', memoryMessage: 'there is nothing to replay', verbose: false };

describe('openLocalHub (the local hub of a one-off command)', () => {
  it('refuses the in-memory store with exit code 2 and says why', async () => {
    const lines = stderr();
    expect(await openLocalHub({ ...options, inMemory: true })).toBe(2);
    expect(lines.join('')).toContain(
      'LEADHUB_DB=memory keeps nothing between runs: there is nothing to replay.',
    );
  });

  it("opens the hub on npm start's data directory", async () => {
    await dataDir();
    const hub = await openLocalHub({ ...options, inMemory: false });
    if (typeof hub === 'number') throw new Error(`exit ${hub}`);
    hubs.push(hub);
    expect(hub.database).toContain('leadhub-command-');
  });

  it('answers 1 and tells the user to stop npm start when the data directory is in use', async () => {
    await dataDir();
    const first = await openLocalHub({ ...options, inMemory: false });
    if (typeof first === 'number') throw new Error(`exit ${first}`);
    hubs.push(first);
    const lines = stderr();
    expect(await openLocalHub({ ...options, inMemory: false })).toBe(1);
    expect(lines.join('')).toMatch(/Cannot open the local hub: .*\n.*stop it first .*then replay\./s);
  });
});
