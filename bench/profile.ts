/**
 * Where a V8 CPU profile (.cpuprofile, from --cpu-prof) spent its time, grouped by package. `--profile`
 * runs the hub process with --cpu-prof and prints this, to find the runtime's bottleneck.
 */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Which bucket a frame's URL belongs to. */
export function profileGroup(url: string, functionName: string): string {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    const pkg = rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
    if (pkg.startsWith('@smithy/') || pkg.startsWith('@aws-sdk/')) return 'AWS SDK (@aws-sdk, @smithy)';
    if (
      /^(dynalite|level|memory-level|abstract-level|level-transcoder|classic-level|big\.js|lazy|once)/.test(
        pkg,
      )
    ) {
      return 'dynalite + level';
    }
    return pkg;
  }
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  if (url.includes('/lib/')) return `lib/${url.split('/lib/')[1]?.split('/')[0] ?? ''}`;
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  return 'other';
}

/** Self time per group, as a share of all samples, biggest first. */
export function summariseProfile(profile: CpuProfile, top = 12): { group: string; share: number }[] {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const groups = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    const node = byNode.get(id);
    const group = node ? profileGroup(node.callFrame.url, node.callFrame.functionName) : '(unknown)';
    groups.set(group, (groups.get(group) ?? 0) + delta);
    total += delta;
  });
  return [...groups]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([group, t]) => ({ group, share: total > 0 ? t / total : 0 }));
}
