import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../support/command.js';

/** A Slack incoming webhook that holds each post until released: the alert stays in flight meanwhile. */
async function startHeldSlack() {
  const held: ServerResponse[] = [];
  let arrived: () => void = () => undefined;
  const firstPost = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      held.push(res);
      arrived();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T0/B0/X`,
    firstPost,
    release() {
      for (const res of held.splice(0)) res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    },
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/** The process running main.ts: the deepest process of the group whose command line names it. */
async function hubPid(group: number): Promise<number> {
  const found: { pid: number; ppid: number }[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // stat: "pid (comm) state ppid pgrp …"; comm may hold spaces, so split after its closing paren.
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const [, , ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 1).split(' ');
      if (Number(pgrp) !== group) continue;
      const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes('lib/local/main.ts')) found.push({ pid: Number(entry), ppid: Number(ppid) });
    } catch {
      // The process ended while being read: not the hub, which is waiting for us.
    }
  }
  const deepest = found.filter((p) => !found.some((q) => q.ppid === p.pid));
  if (deepest.length !== 1) throw new Error(`expected one hub process, found ${JSON.stringify(found)}`);
  return (deepest[0] as { pid: number }).pid;
}

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterAll(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

describe('npm start and one Ctrl-C', () => {
  it('finishes the alert in flight and stops cleanly, even when the hub was busy as the signal came', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'leadhub-npm-start-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const config = join(dir, 'leadhub.config.json');
    await writeFile(config, JSON.stringify({ forms: { contact: { fields: { mail: 'email' } } } }));
    const slack = await startHeldSlack();
    cleanups.push(() => slack.close());

    // npm from PATH, in its own process group as a terminal runs a foreground command.
    const run = runCommand('npm', ['start'], {
      detached: true,
      env: {
        LEADHUB_CONFIG: config,
        LEADHUB_DATA_DIR: dir,
        LEADHUB_DB: 'memory',
        PORT: '0',
        SLACK_WEBHOOK_URL: slack.url,
      },
    });
    cleanups.push(() => run.kill());
    const group = run.child.pid as number;

    const [, url] = await run.waitForOutput(/LeadHub is running at (http:\/\/127\.0\.0\.1:\d+)/);
    const res = await fetch(`${url}/forms/contact`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mail: 'someone@example.com' }),
    });
    expect(res.status).toBe(202);
    await slack.firstPost; // the alert is in flight, held by the stand-in

    // A busy hub cannot react to the signal at once (here it is stopped outright, for half a second):
    // a wrapper that relays signals to its child and escalates when the child stays quiet (the tsx CLI:
    // another SIGINT after 30 ms, then SIGKILL) turns that one Ctrl-C into a kill. The half second is
    // how long the hub is busy, not something the test waits for.
    const hub = await hubPid(group);
    process.kill(hub, 'SIGSTOP');
    process.kill(-group, 'SIGINT'); // Ctrl-C: the terminal signals the whole foreground group
    await new Promise((done) => setTimeout(done, 500));
    try {
      process.kill(hub, 'SIGCONT');
    } catch {
      // Already gone (killed while it could not answer): the output below says how it ended.
    }

    await run.waitForOutput(/SIGINT: finishing in-flight work/);
    slack.release();
    await run.exit;

    const out = run.stdout();
    const alertSent = out.indexOf('"message":"alert sent"');
    expect(alertSent).toBeGreaterThan(-1);
    expect(out.indexOf('"message":"LeadHub stopped"')).toBeGreaterThan(alertSent);
    expect(run.stderr()).not.toContain('exiting without finishing');
  }, 60_000);
});
