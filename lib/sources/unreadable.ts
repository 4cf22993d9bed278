import type * as z from '../zod.js';

/**
 * An item of an authenticated delivery (a Meta change or entry, a LinkedIn notification, a TikTok entry,
 * a Google lead) that yields no lead the hub can key: it is quarantined raw (lib/pipeline/quarantine.ts)
 * rather than acknowledged and forgotten, and `npm run replay -- --quarantine` reads it again.
 */
export interface UnreadableItem {
  /** The item as it came, parsed losslessly (numbers as their digits). */
  item: unknown;
  /**
   * Parts of the envelope that reading the item again needs (e.g. the Meta entry's page id and time).
   * Values are ids, times and names of the envelope, never personal data.
   */
  context?: Record<string, string>;
  /** Why no lead could be read: field names, never values. */
  reason: string;
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Reads one optional field on its own: a value that does not fit is left out and its name noted, so one
 * unreadable field never costs the lead (its id is what matters; capture fetches or maps the rest).
 */
export function optionalField<T>(
  record: Record<string, unknown>,
  name: string,
  schema: z.ZodMiniType<T>,
  leftOut: string[],
): T | undefined {
  const value = record[name];
  if (value === undefined || value === null) return undefined;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  leftOut.push(name);
  return undefined;
}
