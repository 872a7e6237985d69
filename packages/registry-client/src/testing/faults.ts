/** Which requests a {@link RegistryFault} applies to. */
export interface FaultMatch {
  /** HTTP method (`GET`, `PUT` …); any when absent. */
  method?: string;
  /** Tested against the request path (without query); any when absent. */
  path?: RegExp | string;
}

/**
 * A failure the in-memory registry injects into matching requests, `times` times
 * (default once; `Infinity` for always):
 * - `status`: answer with `status` (and a distribution error `code`, and `Retry-After`);
 * - `corrupt`: serve the body (blob or manifest) with one byte flipped;
 * - `drop`: send the headers and `afterBytes` bytes of the body, then destroy the socket.
 */
export type RegistryFault = FaultMatch & { times?: number } & (
    | { type: 'status'; status: number; code?: string; retryAfter?: string }
    | { type: 'corrupt' }
    | { type: 'drop'; afterBytes: number }
  );

/** Pending faults, consumed in the order they were added. */
export class FaultQueue {
  private readonly faults: Array<RegistryFault & { remaining: number }> = [];

  add(fault: RegistryFault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  clear(): void {
    this.faults.length = 0;
  }

  /** The first fault matching the request, consuming one of its uses. */
  take(method: string, path: string): RegistryFault | undefined {
    const index = this.faults.findIndex((f) => matches(f, method, path));
    if (index === -1) return undefined;
    const fault = this.faults[index]!;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    return fault;
  }
}

function matches(fault: FaultMatch, method: string, path: string): boolean {
  if (fault.method && fault.method.toUpperCase() !== method) return false;
  if (fault.path === undefined) return true;
  return typeof fault.path === 'string' ? path === fault.path : fault.path.test(path);
}
