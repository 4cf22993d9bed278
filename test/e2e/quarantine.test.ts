import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDynamoDbLeadStore } from '../../lib/adapters/dynamodb/lead-store.js';
import { replayQuarantine } from '../../lib/pipeline/replay.js';
import type { LeadStore } from '../../lib/ports.js';
import { startFakeSlack, startTestHub } from './support.js';

type Hub = Awaited<ReturnType<typeof startTestHub>>;
type Slack = Awaited<ReturnType<typeof startFakeSlack>>;

const EMAIL = 'maria.garcia@acme-robotics.com';
const body = JSON.stringify({
  submission_id: 'sub-quarantine-1',
  email: EMAIL,
  name: 'Maria Garcia',
  company: 'Acme Robotics',
  privacy_accepted: 'on',
});

/**
 * A capture that fails the same way every time on the local runtime (its queue's receives, redrive and
 * the sweeper): the lead item is refused as DynamoDB refuses one over 400 KB, until the fault is lifted.
 */
describe('quarantine of a capture that always fails (local runtime)', () => {
  let slack: Slack;
  let t: Hub;
  let faulty = true;

  beforeEach(async () => {
    faulty = true;
    slack = await startFakeSlack();
    t = await startTestHub(
      slack.url,
      {},
      {
        leadStore: (options): LeadStore => {
          const store = createDynamoDbLeadStore(options);
          return {
            ...store,
            putLead: async (lead) => {
              if (faulty)
                throw Object.assign(
                  new Error(`Item size has exceeded the maximum allowed size (${lead.email})`),
                  {
                    name: 'ValidationException',
                    $fault: 'client',
                    $metadata: { httpStatusCode: 400 },
                  },
                );
              return store.putLead(lead);
            },
          };
        },
      },
    );
  });
  afterEach(async () => {
    await t.hub.stop();
    await slack.close();
  });

  it('quarantines it instead of dead-lettering it, lists it, the sweeper leaves it, and a replay captures it', async () => {
    const key = { source: 'form' as const, platformLeadId: 's_contact:sub-quarantine-1' };
    expect((await t.postForm('contact', body)).status).toBe(202);
    await t.hub.drain();

    expect(await t.hub.deps.receipts.getReceipt(key)).toMatchObject({
      status: 'quarantined',
      quarantineKind: 'capture',
      statusReason: expect.stringMatching(/^capture failed 3 times in a row: ValidationException: Item size/),
    });
    expect(t.hub.deadLetters().capture).toEqual([]);
    expect(slack.posts).toHaveLength(0);
    const listed = await t.admin('/api/quarantine');
    expect(listed.body).toMatchObject({
      count: 1,
      receipts: [{ source: 'form', key: 's_contact:sub-quarantine-1', kind: 'capture' }],
    });
    // The cause was logged at every attempt, without the person's data.
    const logs = t.logs.join('\n');
    expect(logs.match(/"message":"capture failed"/g)).toHaveLength(2);
    expect(logs).toContain('receipt quarantined');
    expect(logs).not.toContain(EMAIL);

    expect((await t.hub.sweep({ olderThanMs: 0 })).requeued).toEqual([]);

    faulty = false;
    const replay = await replayQuarantine(t.hub.deps, { quarantine: true });
    expect(replay.replayed).toEqual([key]);
    await t.hub.drain();
    expect(await t.hub.deps.receipts.getReceipt(key)).toMatchObject({ status: 'captured' });
    expect(slack.posts).toHaveLength(1);
    expect((await t.admin('/api/quarantine')).body).toMatchObject({ count: 0, receipts: [] });
  });
});
