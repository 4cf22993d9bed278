import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { resolve } from 'node:path';

/** The repository root: where `npm start` and the entry points run. */
export const ROOT = resolve(import.meta.dirname, '../..');

export interface RunningCommand {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when a signal ended it). */
  exit: Promise<number | null>;
  /** Resolves with the first match in stdout as soon as it is printed; rejects if the command ends first. */
  waitForOutput(pattern: RegExp): Promise<RegExpMatchArray>;
  /** Ends it with SIGKILL if it still runs (its whole process group when started detached). */
  kill(): void;
}

/**
 * Runs a command at the repository root with only PATH and HOME from this environment, plus `env`.
 * `detached` gives it its own process group, as a terminal gives a foreground command.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { env: Record<string, string>; detached?: boolean },
): RunningCommand {
  const child = spawn(command, args, {
    cwd: ROOT,
    detached: options.detached ?? false,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
  });
  let out = '';
  let err = '';
  const printed: Array<() => void> = [];
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (const wake of printed.splice(0)) wake();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  let ended = false;
  // 'close', not 'exit': by then everything it printed has been read.
  const exit = new Promise<number | null>((done) =>
    child.on('close', (code) => {
      ended = true;
      done(code);
    }),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exit,
    async waitForOutput(pattern) {
      for (;;) {
        const found = out.match(pattern);
        if (found) return found;
        if (ended) throw new Error(`${command} ended before printing ${pattern}:\n${out}\n${err}`);
        await Promise.race([new Promise<void>((wake) => printed.push(wake)), exit]);
      }
    },
    kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (options.detached) process.kill(-(child.pid as number), 'SIGKILL');
      else child.kill('SIGKILL');
    },
  };
}
