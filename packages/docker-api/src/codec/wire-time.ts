/** Go's zero `time.Time` as dockerd writes it for "never" (`FinishedAt` of a container never stopped). */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** A date as dockerd writes it (RFC 3339 with nanoseconds); `undefined` is Go's zero time. */
export function wireTime(date: Date | undefined): string {
  return date === undefined ? GO_ZERO_TIME : date.toISOString();
}

/** A date as Unix seconds, as dockerd writes `Created` of summaries. */
export function unixSeconds(date: Date | undefined): number {
  return date === undefined ? 0 : Math.floor(date.getTime() / 1000);
}
