import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { findTokens } from '../sources/types.js';
import type { FaultPlan } from './faults.js';

export interface ChaosSlack {
  url: string;
  /** Posts answered 200, per lead token: the alerts Slack actually showed. */
  delivered: Map<string, number>;
  /** Posts that reached the server, failed or not. */
  requests(): number;
  /** Posts answered 200 that carried no lead token (must stay 0). */
  unmatched(): number;
  close(): Promise<void>;
}

/**
 * A Slack incoming webhook on 127.0.0.1 that fails as the fault plan says: 500, 429 with Retry-After, or
 * no answer at all (the notifier's timeout ends it). Only a 200 counts as a delivered alert; a failed or
 * hung post is one Slack did not show, so the notifier must post it again.
 */
export async function startChaosSlack(plan: FaultPlan): Promise<ChaosSlack> {
  const delivered = new Map<string, number>();
  const hanging = new Set<ServerResponse>();
  let requests = 0;
  let unmatched = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests += 1;
      const tokens = [...new Set(findTokens(Buffer.concat(chunks).toString('utf8')))];
      const fault = plan.decide('slack', `post:${tokens.join(',')}`);
      if (fault === 'hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      if (fault === 'server-error') {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('internal_error');
        return;
      }
      if (fault === 'rate-limited') {
        res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '1' }).end('rate_limited');
        return;
      }
      if (tokens.length === 0) unmatched += 1;
      for (const token of tokens) delivered.set(token, (delivered.get(token) ?? 0) + 1);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/TCHAOS/BCHAOS/chaos`,
    delivered,
    requests: () => requests,
    unmatched: () => unmatched,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
