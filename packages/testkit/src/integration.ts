import { execFileSync } from 'node:child_process';
import { describe, it } from 'vitest';

/** What an integration test needs from the machine. */
export interface IntegrationNeeds {
  /** Must run as root (mounts, runc, namespaces). */
  root?: boolean;
  /** Programs that must be on PATH (`skopeo`, `runc`, `docker-registry` …). */
  commands?: string[];
}

function missingNeeds(needs: IntegrationNeeds): string[] {
  const missing: string[] = [];
  if (needs.root && process.getuid?.() !== 0) missing.push('root');
  for (const command of needs.commands ?? []) {
    try {
      execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    } catch {
      missing.push(command);
    }
  }
  return missing;
}

/**
 * `describe` for tests that use real components. Where a need is missing the suite is
 * skipped on a developer machine — but under `CI=true` it fails, so CI can never pass
 * by silently skipping the integration tests (`scripts/setup` installs everything).
 */
export function describeIntegration(name: string, needs: IntegrationNeeds, body: () => void): void {
  const missing = missingNeeds(needs);
  if (missing.length === 0) {
    describe(name, body);
  } else if (process.env.CI) {
    describe(name, () => {
      it('has what it needs on this machine', () => {
        throw new Error(`integration suite "${name}" cannot run: missing ${missing.join(', ')} (run scripts/setup)`);
      });
    });
  } else {
    describe.skip(`${name} (missing ${missing.join(', ')})`, body);
  }
}
