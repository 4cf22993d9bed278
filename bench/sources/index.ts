import { HttpRoutes } from '../../lib/routes.js';
import { formSource } from './form.js';
import type { BenchSource } from './types.js';

/** Every source the bench drives, in report order; a platform's source joins once its route exists. */
export async function benchSources(): Promise<BenchSource[]> {
  const sources: BenchSource[] = [formSource];
  if (HttpRoutes.some((r) => r.method === 'POST' && r.path === '/webhooks/meta')) {
    sources.push((await import('./meta.js')).metaSource);
  }
  return sources;
}
