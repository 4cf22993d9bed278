import type { HubConfig } from '../config.js';
import { addBusinessMinutes } from './business-hours.js';

/** The top grade's claim deadline when the config names none. */
export const DEFAULT_TOP_GRADE_SLA_MINUTES = 5;
/** However late a lead is alerted, reps get this long (or the SLA, if shorter) before it escalates. */
export const MIN_CLAIM_WINDOW_MS = 60_000;

type SlaInput = Pick<HubConfig, 'scoring'> & { alerts: Pick<HubConfig['alerts'], 'sla'> };

/** Minutes to claim a lead of this grade and form, or undefined when it has no SLA. */
export function slaMinutesFor(config: SlaInput, grade: string, formId?: string): number | undefined {
  const { sla } = config.alerts;
  if (!sla.enabled) return undefined;
  const perForm = formId ? sla.forms[formId]?.[grade] : undefined;
  if (perForm !== undefined) return perForm;
  if (sla.minutes) return sla.minutes[grade];
  const top = [...config.scoring.grades].sort((a, b) => b.minScore - a.minScore)[0];
  return top?.grade === grade ? DEFAULT_TOP_GRADE_SLA_MINUTES : undefined;
}

/**
 * When each escalation level is due: level 1 at the platform's created time plus the SLA (counted in
 * business hours when configured), level 2 `secondLevel.afterMinutes` later. When the alert itself goes
 * out late, the levels move back together so reps still get MIN_CLAIM_WINDOW_MS (or the SLA) to claim.
 */
export function slaDueTimes(config: SlaInput, platformCreatedAt: string, minutes: number, now: Date): Date[] {
  const { sla } = config.alerts;
  const hours = sla.businessHours;
  const created = new Date(platformCreatedAt);
  const first = addBusinessMinutes(Number.isFinite(created.getTime()) ? created : now, minutes, hours);
  const earliest = now.getTime() + Math.min(MIN_CLAIM_WINDOW_MS, minutes * 60_000);
  const shift = Math.max(0, earliest - first.getTime());
  const due = [new Date(first.getTime() + shift)];
  if (sla.secondLevel) {
    due.push(new Date(addBusinessMinutes(first, sla.secondLevel.afterMinutes, hours).getTime() + shift));
  }
  return due;
}

/** The timer of one escalation level of one lead (EventBridge Scheduler names: 1–64 of [0-9A-Za-z-_.]). */
export function slaScheduleName(leadId: string, level: number): string {
  return `sla-${leadId.replace(/[^0-9A-Za-z_.-]/g, '_')}-${level}`.slice(0, 64);
}

/** Where escalation `level` goes: its configured channel, else the alert's; its mention, else @here. */
export function escalationTarget(
  config: { alerts: Pick<HubConfig['alerts'], 'sla'> },
  level: number,
  alertChannel: string | undefined,
): { channel?: string; mention: string } {
  const { sla } = config.alerts;
  const target = level >= 2 ? sla.secondLevel : sla.escalation;
  const channel = target?.channel ?? alertChannel;
  return { ...(channel ? { channel } : {}), mention: target?.mention ?? 'here' };
}
