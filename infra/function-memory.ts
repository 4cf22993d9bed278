/**
 * Memory of each LeadHub Lambda, in MB. Lambda gives CPU in proportion to memory and bills GB-seconds,
 * so a function that mostly waits on the network is cheapest small. Shared by the stack and the bench's
 * cost model (no CDK imports here), so the model prices what is deployed.
 */
export const DEFAULT_FUNCTION_MEMORY_MB = 512;

export const FUNCTION_MEMORY_MB: Readonly<Record<string, number>> = {
  // The workers spend most of an invocation waiting on DynamoDB, EventBridge and Slack; their own
  // compute is a few ms per record. The HTTP functions keep 512 MB: a platform waits on their answer.
  'capture-worker': 256,
  'enrich-worker': 256,
  'slack-notifier': 256,
};

export function functionMemoryMb(name: string): number {
  return FUNCTION_MEMORY_MB[name] ?? DEFAULT_FUNCTION_MEMORY_MB;
}

/** Share of a vCPU a Lambda of this much memory gets (a full vCPU at 1,769 MB). */
export function vcpuShareOf(memoryMb: number): number {
  return memoryMb / 1769;
}
