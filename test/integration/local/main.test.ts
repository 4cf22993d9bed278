import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningCommand, runCommand } from '../../support/command.js';

/** Runs `npm start`'s entry point on this Node (24) with tsx as a loader, as the start script does. */
function runMain(env: Record<string, string>): RunningCommand {
  const run = runCommand(process.execPath, ['--import', 'tsx', 'lib/local/main.ts'], { env });
  runs.push(run);
  return run;
}

const dirs: string[] = [];
const runs: RunningCommand[] = [];
afterEach(async () => {
  for (const run of runs.splice(0)) run.kill();
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('npm start (lib/local/main.ts)', () => {
  it('prints the config error and exits 1 without a stack trace', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'leadhub-main-'));
    dirs.push(dir);
    const config = join(dir, 'leadhub.config.json');
    await writeFile(config, JSON.stringify({ forms: { 'bad id!': {} } }));
    const run = runMain({ LEADHUB_CONFIG: config, LEADHUB_DB: 'memory', PORT: '0' });
    expect(await run.exit).toBe(1);
    expect(run.stderr()).toContain(`Invalid LeadHub config in ${config}`);
    expect(run.stderr()).toContain('forms.bad id!');
    expect(run.stderr()).not.toMatch(/^\s+at /m);
  });

  it('refuses to start a Slack app with no channel for unrouted leads, naming alerts.defaultChannel', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'leadhub-main-'));
    dirs.push(dir);
    const config = join(dir, 'leadhub.config.json');
    await writeFile(
      config,
      JSON.stringify({ alerts: { routes: [{ match: { grades: ['A'] }, channel: 'C0HOT' }] } }),
    );
    const run = runMain({
      LEADHUB_CONFIG: config,
      LEADHUB_DB: 'memory',
      PORT: '0',
      SLACK_BOT_TOKEN: 'xoxb-not-used',
    });
    expect(await run.exit).toBe(1);
    expect(run.stderr()).toContain(
      `SLACK_BOT_TOKEN is set (Slack app mode), but the LeadHub config in ${config}`,
    );
    expect(run.stderr()).toContain('  alerts.defaultChannel: is not set and no route matches every lead');
    expect(run.stderr()).not.toMatch(/^\s+at /m);
    expect(run.stdout()).not.toContain('LeadHub is running');
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

    const [, url] = await run.waitForOutput(/LeadHub is running at (http:\/\/127\.0\.0\.1:\d+)/);
    expect(run.stdout()).toContain(`POST ${url}/forms/contact  (Contact us)`);
    expect(run.stdout()).toContain(`"mail":"jane@example.com"`);
    const res = await fetch(`${url}/no-such-route`);
    expect(res.status).toBe(404);

    run.child.kill('SIGINT');
    expect(await run.exit).toBe(0);
    expect(run.stdout()).toContain('LeadHub stopped');
  });
});
