/**
 * `npm start`: the whole hub on this machine. Reads the environment (lib/config.ts), serves the HTTP
 * routes, runs the queues, bus and workers in-process, and shuts down cleanly on SIGINT/SIGTERM.
 * `npm start` runs it as `node --import tsx` rather than through the tsx CLI: that wrapper relays signals
 * to its child and, when the hub's event loop is busy for 30 ms, sends a second SIGINT and then SIGKILL.
 */
import { ConfigError } from '../config.js';
import { banner } from './banner.js';
import { type RunningHub, startHub } from './runtime.js';
import { stopOnSignals } from './stop-signals.js';

/** Longest a shutdown waits for in-flight work before giving up. */
const SHUTDOWN_TIMEOUT_MS = 30_000;

async function main(): Promise<void> {
  let hub: RunningHub;
  try {
    hub = await startHub({
      onFatal: (reason) => {
        process.stderr.write(`LeadHub cannot go on: ${reason}\n`);
        process.exit(1);
      },
    });
  } catch (error) {
    // A bad config or environment is the user's to fix: the message says what, a stack trace adds noise.
    if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
    else process.stderr.write(`LeadHub failed to start: ${(error as Error).message ?? String(error)}\n`);
    process.exit(1);
  }
  process.stdout.write(`${banner(hub)}\n`);

  const shutdown = stopOnSignals({
    onStop(signal) {
      process.stdout.write(`\n${signal}: finishing in-flight work, then stopping (Ctrl-C again to force)\n`);
      const timeout = setTimeout(() => {
        process.stderr.write(`Shutdown took longer than ${SHUTDOWN_TIMEOUT_MS / 1000}s: exiting\n`);
        process.exit(1);
      }, SHUTDOWN_TIMEOUT_MS);
      timeout.unref();
      hub.stop().then(
        () => {
          const dead = hub.deadLetters();
          const count = dead.capture.length + dead.enrich.length + dead.slack.length;
          if (count > 0)
            process.stdout.write(`${count} message(s) were dead-lettered this run (see the log)\n`);
          process.exit(0);
        },
        (error: unknown) => {
          process.stderr.write(`Shutdown failed: ${(error as Error).message}\n`);
          process.exit(1);
        },
      );
    },
    onRepeat(signal) {
      process.stdout.write(`${signal} again at once: the same stop, still finishing in-flight work\n`);
    },
    onForce(signal) {
      process.stderr.write(`${signal} again: exiting without finishing in-flight work\n`);
      process.exit(1);
    },
  });
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

await main();
