import { z } from 'zod';
import { goInteger } from './go-json-types.js';

// The v1.47 document leaves the stats body untyped; this follows dockerd's `container.StatsResponse`.

/** Per-CPU and total CPU time, in nanoseconds. */
export const CpuUsageSchema = z.looseObject({
  total_usage: goInteger(),
  /** Per-CPU usage (cgroup v1 only; absent on cgroup v2). */
  percpu_usage: z.array(goInteger()).nullish(),
  usage_in_kernelmode: goInteger(),
  usage_in_usermode: goInteger(),
});
/** {@link CpuUsageSchema}'s type. */
export type CpuUsage = z.infer<typeof CpuUsageSchema>;

/** CPU statistics of a stats sample (`cpu_stats`, and the previous sample's `precpu_stats`). */
export const CpuStatsSchema = z.looseObject({
  cpu_usage: CpuUsageSchema,
  /** Host CPU time in nanoseconds: the denominator of the CPU percentage. Absent before the first sample. */
  system_cpu_usage: goInteger().nullish(),
  online_cpus: goInteger().nullish(),
  throttling_data: z
    .looseObject({
      periods: goInteger(),
      throttled_periods: goInteger(),
      throttled_time: goInteger(),
    })
    .nullish(),
});
/** {@link CpuStatsSchema}'s type. */
export type CpuStats = z.infer<typeof CpuStatsSchema>;

/** Memory statistics; `stats` holds the raw cgroup `memory.stat` counters (names differ between cgroup v1 and v2). */
export const MemoryStatsSchema = z.looseObject({
  usage: goInteger().nullish(),
  max_usage: goInteger().nullish(),
  stats: z.record(z.string(), goInteger()).nullish(),
  failcnt: goInteger().nullish(),
  limit: goInteger().nullish(),
  commitbytes: goInteger().nullish(),
  commitpeakbytes: goInteger().nullish(),
  privateworkingset: goInteger().nullish(),
});
/** {@link MemoryStatsSchema}'s type. */
export type MemoryStats = z.infer<typeof MemoryStatsSchema>;

/** One block-I/O counter of a device. */
export const BlkioStatEntrySchema = z.looseObject({
  major: goInteger(),
  minor: goInteger(),
  op: z.string(),
  value: goInteger(),
});
/** {@link BlkioStatEntrySchema}'s type. */
export type BlkioStatEntry = z.infer<typeof BlkioStatEntrySchema>;

const blkioEntries = z.array(BlkioStatEntrySchema).nullish();

/** Block-I/O statistics; on cgroup v2 only `io_service_bytes_recursive` and `io_serviced_recursive` are filled. */
export const BlkioStatsSchema = z.looseObject({
  io_service_bytes_recursive: blkioEntries,
  io_serviced_recursive: blkioEntries,
  io_queue_recursive: blkioEntries,
  io_service_time_recursive: blkioEntries,
  io_wait_time_recursive: blkioEntries,
  io_merged_recursive: blkioEntries,
  io_time_recursive: blkioEntries,
  sectors_recursive: blkioEntries,
});
/** {@link BlkioStatsSchema}'s type. */
export type BlkioStats = z.infer<typeof BlkioStatsSchema>;

/** Counters of one network interface of the container. */
export const NetworkStatsSchema = z.looseObject({
  rx_bytes: goInteger(),
  rx_packets: goInteger(),
  rx_errors: goInteger(),
  rx_dropped: goInteger(),
  tx_bytes: goInteger(),
  tx_packets: goInteger(),
  tx_errors: goInteger(),
  tx_dropped: goInteger(),
});
/** {@link NetworkStatsSchema}'s type. */
export type NetworkStats = z.infer<typeof NetworkStatsSchema>;

/**
 * One sample of `GET /containers/{id}/stats` (streamed as JSON lines, or once with
 * `stream=false`). `read`/`preread` are RFC 3339 timestamps of this and the previous sample;
 * the previous sample's CPU is in `precpu_stats` so clients compute a percentage from one message.
 */
export const ContainerStatsResponseSchema = z.looseObject({
  name: z.string().nullish(),
  id: z.string().nullish(),
  read: z.string(),
  // Older daemons and the API document's example omit it.
  preread: z.string().nullish(),
  pids_stats: z.looseObject({ current: goInteger().nullish(), limit: goInteger().nullish() }).nullish(),
  blkio_stats: BlkioStatsSchema.nullish(),
  num_procs: goInteger().nullish(),
  storage_stats: z
    .looseObject({
      read_count_normalized: goInteger().nullish(),
      read_size_bytes: goInteger().nullish(),
      write_count_normalized: goInteger().nullish(),
      write_size_bytes: goInteger().nullish(),
    })
    .nullish(),
  cpu_stats: CpuStatsSchema,
  precpu_stats: CpuStatsSchema,
  memory_stats: MemoryStatsSchema,
  /** Per interface name; absent when the container has no network namespace of its own. */
  networks: z.record(z.string(), NetworkStatsSchema).nullish(),
});
/** One stats sample, as {@link ContainerStatsResponseSchema} parses it. */
export type ContainerStatsResponse = z.infer<typeof ContainerStatsResponseSchema>;
