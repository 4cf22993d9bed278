/** The month bucket (yyyy-mm) of an ISO time: the byMonth index's listings are partitioned by it. */
export const monthOf = (iso: string) => iso.slice(0, 7);

export function previousMonth(month: string): string {
  const d = new Date(`${month}-01T00:00:00.000Z`);
  d.setUTCMonth(d.getUTCMonth() - 1);
  return monthOf(d.toISOString());
}
