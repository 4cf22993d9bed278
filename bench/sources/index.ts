import { HttpRoutes } from '../../lib/routes.js';
import { formSource } from './form.js';
import type { BenchSource } from './types.js';

const hasWebhook = (path: string) => HttpRoutes.some((r) => r.method === 'POST' && r.path === path);

/** Every source the bench drives, in report order; a platform's source joins once its route exists. */
export async function benchSources(): Promise<BenchSource[]> {
  const sources: BenchSource[] = [formSource];
  if (hasWebhook('/webhooks/meta')) sources.push((await import('./meta.js')).metaSource);
  if (hasWebhook('/webhooks/linkedin')) sources.push((await import('./linkedin.js')).linkedinSource);
  if (hasWebhook('/webhooks/tiktok/{token}')) sources.push((await import('./tiktok.js')).tiktokSource);
  if (hasWebhook('/webhooks/google')) sources.push((await import('./google.js')).googleSource);
  return sources;
}
