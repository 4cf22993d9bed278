import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');

interface Run {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  exit: Promise<number | null>;
}

/** Runs `npm start`'s entry point on this Node (24) with tsx as a loader, so signals reach it directly. */
function runMain(env: Record<string, string>): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', 'lib/local/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const exit = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function waitFor(run: Run, pattern: RegExp): Promise<RegExpMatchArray> {
  for (;;) {
    const found = run.stdout().match(pattern);
    if (found) return found;
    const exited = await Promise.race([
      run.exit.then(() => true),
      new Promise((r) => setTimeout(() => r(false), 50)),
    ]);
    if (exited) throw new Error(`main exited early:\n${run.stdout()}\n${run.stderr()}`);
  }
}

const dirs: string[] = [];
const children: ChildProcessWithoutNullStreams[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('npm start (lib/local/main.ts)', () => {
  it('prints the config error and exits 1 without a stack trace', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'leadhub-main-'));
    dirs.push(dir);
    const config = join(dir, 'leadhub.config.json');
    await writeFile(config, JSON.stringify({ forms: { 'bad id!': {} } }));
    const run = runMain({ LEADHUB_CONFIG: config, LEADHUB_DB: 'memory', PORT: '0' });
    children.push(run.child);
    expect(await run.exit).toBe(1);
    expect(run.stderr()).toContain(`Invalid LeadHub config in ${config}`);
    expect(run.stderr()).toContain('forms.bad id!');
    expect(run.stderr()).not.toMatch(/^\s+at /m);
  });

  it('serves on a free port with PORT=0, prints the forms, and exits 0 on SIGINT', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'leadhub-main-'));
    dirs.push(dir);
    const config = join(dir, 'leadhub.config.json');
    await writeFile(
      config,
      JSON.stringify({ forms: { contact: { name: 'Contact us', fields: { mail: 'email' } } } }),
    );
    const run = runMain({ LEADHUB_CONFIG: config, LEADHUB_DB: 'memory', PORT: '0', LEADHUB_DATA_DIR: dir });
    children.push(run.child);

    const [, url] = await waitFor(run, /LeadHub is running at (http:\/\/127\.0\.0\.1:\d+)/);
    expect(run.stdout()).toContain(`POST ${url}/forms/contact  (Contact us)`);
    expect(run.stdout()).toContain(`"mail":"jane@example.com"`);
    const res = await fetch(`${url}/no-such-route`);
    expect(res.status).toBe(404);

    run.child.kill('SIGINT');
    expect(await run.exit).toBe(0);
    expect(run.stdout()).toContain('LeadHub stopped');
  });
});
