import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { findTokens } from './sources/types.js';

export interface FakeSlack {
  url: string;
  /** Posts received so far. */
  posts(): number;
  /** performance.now() at which each bench token's alert arrived (first arrival only). */
  arrivals: Map<string, number>;
  /** Alerts for a token that had already arrived (must stay 0: one alert per lead). */
  duplicates(): number;
  /** Resolves once every token in `tokens` has arrived, or after `timeoutMs`. */
  waitFor(tokens: readonly string[], timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** A stand-in for Slack's incoming webhook on 127.0.0.1: answers 200 at once and notes when each alert came. */
export async function startFakeSlack(): Promise<FakeSlack> {
  const arrivals = new Map<string, number>();
  let posts = 0;
  let duplicates = 0;
  let waiters: Array<() => void> = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      posts += 1;
      // The alert's text and header both carry the lead's name; one token per alert is expected.
      const tokens = new Set(findTokens(Buffer.concat(chunks).toString('utf8')));
      for (const token of tokens) {
        if (arrivals.has(token)) duplicates += 1;
        else arrivals.set(token, at);
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      const ready = waiters;
      waiters = [];
      for (const wake of ready) wake();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/TBENCH/BBENCH/bench`,
    posts: () => posts,
    arrivals,
    duplicates: () => duplicates,
    async waitFor(tokens, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      const done = () => tokens.every((t) => arrivals.has(t));
      while (!done()) {
        const left = deadline - performance.now();
        if (left <= 0) return false;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(left, 500));
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
