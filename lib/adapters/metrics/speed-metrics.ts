import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SpeedMetrics } from '../../ports.js';

export const METRICS_NAMESPACE = 'LeadHub';

/**
 * Stage durations as CloudWatch embedded metrics: `StageLatency` (milliseconds) with dimensions
 * source and stage, so p50/p95 per stage and source are CloudWatch statistics. Each metric is flushed at
 * once (a single-metric instance), so no middleware has to publish at the end of the invocation. Test
 * leads are left out.
 */
export function createPowertoolsSpeedMetrics(
  metrics: Metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'leadhub' }),
): SpeedMetrics {
  return {
    recordStages(lead, stages) {
      if (lead.isTest) return;
      for (const { stage, ms } of stages) {
        const single = metrics.singleMetric();
        single.addDimensions({ source: lead.source, stage });
        single.addMetric('StageLatency', MetricUnit.Milliseconds, ms);
      }
    },
  };
}
