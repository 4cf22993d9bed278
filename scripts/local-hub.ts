import { type HubTuning, type RunningHub, startHub } from '../lib/local/runtime.js';

/**
 * Opens the local hub on `npm start`'s data directory and environment for a one-off command (replay,
 * reconcile). Returns the exit code instead when it cannot: the in-memory store keeps nothing to work on,
 * and the local database admits one process, so a running `npm start` must be stopped first.
 */
export async function openLocalHub(options: {
  command: string;
  /** LEADHUB_DB=memory: nothing outlives a run, so there is nothing to open. */
  inMemory: boolean;
  memoryMessage: string;
  verbose: boolean;
  tuning?: HubTuning;
}): Promise<RunningHub | number> {
  if (options.inMemory) {
    process.stderr.write(`LEADHUB_DB=memory keeps nothing between runs: ${options.memoryMessage}.\n`);
    return 2;
  }
  try {
    return await startHub({
      port: 0,
      // Quiet unless asked: the command prints its own summary.
      log: (line) => {
        if (options.verbose) process.stdout.write(`${line}\n`);
      },
      ...(options.tuning ? { tuning: options.tuning } : {}),
    });
  } catch (error) {
    process.stderr.write(
      `Cannot open the local hub: ${(error as Error).message}\n` +
        `If \`npm start\` is running, stop it first (the local database admits one process), then ${options.command}.\n`,
    );
    return 1;
  }
}
