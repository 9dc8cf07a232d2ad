// The safety net the project requires before tests create pods or services: blackhole routes on
// the host for the pod (10.42/16) and service (10.43/16) ranges, so a packet for a cluster
// address that no rule catches dies here instead of leaving by the default route. The more
// specific routes of test hosts still win. Removes only what it added.
import { execFileSync } from 'node:child_process';

const RANGES = ['10.42.0.0/16', '10.43.0.0/16'];

export function addBlackholeRoutes(): () => void {
  const added: string[] = [];
  for (const range of RANGES) {
    const present = execFileSync('ip', ['route', 'show', 'type', 'blackhole', range], { encoding: 'utf8' }).trim() !== '';
    if (present) continue;
    execFileSync('ip', ['route', 'add', 'blackhole', range]);
    added.push(range);
  }
  return () => {
    for (const range of added) execFileSync('ip', ['route', 'del', 'blackhole', range]);
  };
}
