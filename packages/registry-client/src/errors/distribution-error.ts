import { type DistributionError, distributionErrorsBodySchema } from '@berth/spec';

/**
 * Parses an error response body. Registries answer errors with `{"errors": [...]}`, but
 * proxies and load balancers send HTML or nothing: anything else yields `[]`.
 */
export function parseDistributionErrors(body: string): DistributionError[] {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return [];
  }
  const parsed = distributionErrorsBodySchema.safeParse(json);
  return parsed.success ? parsed.data.errors : [];
}
