import type {
  AlertDecision,
  AlertDecisionInput,
  AlertEscalation,
  AlertRecord,
  EphemeralTarget,
  LeadKey,
  Notifier,
  PendingSla,
  ScheduledPayload,
  Scheduler,
  SentAlert,
  SlackMessage,
  SlackMessageRef,
} from '../../../lib/ports.js';
import { FakeStore } from '../scoring/fixtures.js';

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * FakeStore plus the alert loop, with the DynamoDB adapter's semantics: each write yields (a round trip),
 * then checks and sets in one synchronous step, so concurrent callers race like conditional writes.
 */
export class FakeAlertStore extends FakeStore {
  readonly records = new Map<string, AlertRecord>();
  readonly pending = new Map<string, PendingSla>();
  readonly stages: { leadId: string; stage: string; at: string }[] = [];

  override recordAlertSent = async (leadId: string, sent: SentAlert) => {
    await tick();
    const claim = this.alerts.get(leadId);
    if (!claim) throw new Error(`no alert claim for ${leadId}`);
    this.alerts.set(leadId, { ...claim, status: 'sent', completedAt: sent.at, detail: sent.target });
    this.completions.push({ leadId, status: 'sent', detail: sent.target });
    const current = this.records.get(leadId);
    this.records.set(leadId, {
      ...current,
      leadId,
      status: 'sent',
      target: sent.target,
      ...sent.lead,
      timings: sent.timings,
      messages: sent.message ? [sent.message] : [],
      ...(sent.sla ? { sla: structuredClone(sent.sla) } : {}),
    });
    const due = sent.sla?.dueAt[0];
    if (due) this.pending.set(leadId, { leadId, level: 1, dueAt: due });
  };

  override getAlert = async (leadId: string) => {
    await tick();
    const r = this.records.get(leadId);
    return r ? structuredClone(r) : undefined;
  };

  override decideAlert = async (leadId: string, d: AlertDecisionInput): Promise<AlertDecision> => {
    await tick();
    const r = this.records.get(leadId);
    if (!r) return { won: false };
    if (r.outcome) return { won: false, alert: structuredClone(r) };
    r.outcome = d.outcome;
    r.outcomeBy = d.userId;
    r.outcomeAt = d.at;
    this.pending.delete(leadId);
    return { won: true, alert: structuredClone(r) };
  };

  override markDecisionPublished = async (leadId: string, at: string) => {
    await tick();
    const r = this.records.get(leadId);
    if (r) r.decisionPublishedAt ??= at;
  };

  override escalateAlert = async (leadId: string, e: AlertEscalation) => {
    await tick();
    const r = this.records.get(leadId);
    if (!r?.sla || r.outcome || r.sla.level >= e.level) return false;
    r.sla.level = e.level;
    delete r.sla.escalating;
    delete r.sla.escalatingUntil;
    if (e.message) r.messages.push(e.message);
    if (e.nextDueAt) this.pending.set(leadId, { leadId, level: e.level + 1, dueAt: e.nextDueAt });
    else this.pending.delete(leadId);
    return true;
  };

  override claimEscalation = async (leadId: string, level: number, at: string, leaseMs: number) => {
    await tick();
    const r = this.records.get(leadId);
    const now = Date.parse(at);
    if (!r?.sla || r.outcome || r.sla.level >= level) return false;
    if (r.sla.escalatingUntil !== undefined && r.sla.escalatingUntil >= now) return false;
    r.sla.escalating = level;
    r.sla.escalatingUntil = now + leaseMs;
    return true;
  };

  override releaseEscalation = async (leadId: string, level: number) => {
    await tick();
    const sla = this.records.get(leadId)?.sla;
    if (sla?.escalating === level) {
      delete sla.escalating;
      delete sla.escalatingUntil;
    }
  };

  override clearPendingSla = async (leadId: string) => {
    await tick();
    this.pending.delete(leadId);
  };

  override listPendingSlas = async () => {
    await tick();
    return [...this.pending.values()].sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  };

  override recordLeadStage = async (lead: LeadKey, stage: 'alertedAt' | 'claimedAt', at: string) => {
    await tick();
    this.stages.push({ leadId: lead.leadId, stage, at });
  };

  override getLead = async (leadId: string) => {
    await tick();
    return this.leads.get(leadId);
  };
}

/** A Slack app notifier stand-in: posts get refs, updates and ephemeral replies are recorded. */
export class FakeAppNotifier implements Notifier {
  readonly posts: SlackMessage[] = [];
  readonly updates: { ref: SlackMessageRef; message: SlackMessage }[] = [];
  readonly ephemeral: { to: EphemeralTarget; text: string }[] = [];
  private seq = 0;
  constructor(public failures = 0) {}

  async post(message: SlackMessage): Promise<SlackMessageRef> {
    await tick();
    if (this.failures > 0) {
      this.failures--;
      throw Object.assign(new Error('Slack chat.postMessage rate limited (retry after 30 s)'), {
        status: 429,
      });
    }
    this.posts.push(message);
    this.seq += 1;
    return { channel: message.channel ?? 'C_NONE', ts: `1767600000.${String(this.seq).padStart(6, '0')}` };
  }

  async update(ref: SlackMessageRef, message: SlackMessage): Promise<void> {
    await tick();
    this.updates.push({ ref, message });
  }

  async replyEphemeral(to: EphemeralTarget, text: string): Promise<void> {
    await tick();
    this.ephemeral.push({ to, text });
  }
}

/** Records schedules and cancellations; `fire` runs what is due at `now` through the given handler. */
export class RecordingScheduler implements Scheduler {
  readonly armed = new Map<string, { at: Date; payload: ScheduledPayload }>();
  readonly cancelled: string[] = [];

  async schedule(name: string, at: Date, payload: ScheduledPayload): Promise<void> {
    if (!this.armed.has(name)) this.armed.set(name, { at, payload });
  }

  async cancel(name: string): Promise<void> {
    this.cancelled.push(name);
    this.armed.delete(name);
  }
}
