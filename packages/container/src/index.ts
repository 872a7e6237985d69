/**
 * Containers: their configuration (docker's semantics, zod-validated), the OCI runtime
 * spec generated from it as a fold of small spec options, the lifecycle state machine,
 * restart-policy decisions, k8s-file logs, archive copy in and out of a root file system,
 * and the `OciRuntime` seam with its implementations — runc under conmon, and a fake that
 * simulates processes (what the in-memory engine runs on).
 *
 * @packageDocumentation
 */

// --- clock (clock/) ---
export { systemClock, sleep } from './clock/clock.js';
export type { Clock } from './clock/clock.js';
export { createManualClock } from './clock/manual-clock.js';
export type { ManualClock } from './clock/manual-clock.js';

// --- container config (config/) ---
export {
  containerConfigSchema,
  parseContainerConfig,
  bindMountSchema,
  tmpfsMountSchema,
  volumeMountSchema,
  mountSchema,
  ulimitSchema,
  resourcesSchema,
  restartPolicySchema,
  healthcheckSchema,
  PROPAGATIONS,
  ULIMIT_NAMES,
  RESTART_POLICY_NAMES,
} from './config/container-config.js';
export type {
  ContainerConfig,
  ContainerConfigInput,
  BindMount,
  TmpfsMount,
  VolumeMount,
  ContainerMount,
  Ulimit,
  Resources,
  RestartPolicy,
  Healthcheck,
  Propagation,
} from './config/container-config.js';
export { mergeImageConfig, processArgs, processEnv, replaceOrAppendEnv, DEFAULT_PATH } from './config/merge-image-config.js';
export type { MergedContainerConfig } from './config/merge-image-config.js';
export { resolveUser } from './config/resolve-user.js';
export type { ResolvedUser } from './config/resolve-user.js';
export { parsePasswd, parseGroup, userDatabase } from './config/user-database.js';
export type { PasswdEntry, GroupEntry, UserDatabase } from './config/user-database.js';
export { parseSignal, signalExitCode } from './config/signals.js';
export type { Signal } from './config/signals.js';

// --- root file system paths (rootfs/) ---
export { resolveInRoot, containerPathOf } from './rootfs/resolve-in-root.js';
export type { ResolveInRootOptions } from './rootfs/resolve-in-root.js';
export { readUserDatabase } from './rootfs/read-user-database.js';

// --- OCI runtime spec (spec/) ---
export { buildRuntimeSpec } from './spec/spec-option.js';
export type { SpecOption } from './spec/spec-option.js';
export {
  defaultRuntimeSpec,
  defaultMounts,
  defaultDeviceRules,
  DEFAULT_MASKED_PATHS,
  DEFAULT_READONLY_PATHS,
  DEFAULT_SHM_SIZE,
} from './spec/default-spec.js';
export { ALL_CAPABILITIES, DEFAULT_CAPABILITIES, normalizeCapability, tweakCapabilities } from './spec/capabilities.js';
export { withProcessArgs, withEnv, withCwd, withTerminal, withOomScoreAdj } from './spec/with-process.js';
export { withUser } from './spec/with-user.js';
export { withHostname } from './spec/with-hostname.js';
export { withRootfs, withReadonlyRootfs } from './spec/with-rootfs.js';
export { withCapabilities } from './spec/with-capabilities.js';
export { withPrivileged } from './spec/with-privileged.js';
export { withMounts, withShmSize } from './spec/with-mounts.js';
export { withResources, linuxResourcesFor } from './spec/with-resources.js';
export type { HostCgroupSupport } from './spec/with-resources.js';
export { withRlimits, RLIM_INFINITY } from './spec/with-rlimits.js';
export { withSysctls, withDefaultNetworkSysctls, validateSysctls } from './spec/with-sysctls.js';
export { withInit, CONTAINER_INIT_PATH } from './spec/with-init.js';
export { withNamespace, withoutNamespace, withCgroupsPath, withAnnotations } from './spec/with-namespaces.js';
export { mergeTmpfsOptions, parseByteSize } from './spec/mount-options.js';
export { bindRuntimeMount, tmpfsRuntimeMount, containerRuntimeMounts } from './spec/runtime-mounts.js';
export type { VolumeResolver } from './spec/runtime-mounts.js';
export { createRuntimeSpec, containerSpecOptions, containerHostname } from './spec/container-spec.js';
export type { RuntimeSpecContext, NetworkNamespace } from './spec/container-spec.js';
export { serializeRuntimeSpec } from './spec/serialize.js';

// --- state machine (state/) ---
export { CONTAINER_STATUSES, initialContainerState, isRunningStatus } from './state/container-state.js';
export type { ContainerStatus, ContainerState, ContainerRef, Transition } from './state/container-state.js';
export { checkStart, startContainer, failStart } from './state/container-start.js';
export type { StartOptions } from './state/container-start.js';
export { checkStop, stopContainer } from './state/container-stop.js';
export { checkKill, killContainer } from './state/container-kill.js';
export type { KillOptions } from './state/container-kill.js';
export { checkPause, pauseContainer } from './state/container-pause.js';
export { checkUnpause, unpauseContainer } from './state/container-unpause.js';
export { exitContainer } from './state/container-exit.js';
export type { ExitInfo } from './state/container-exit.js';
export { restartingContainer } from './state/container-restarting.js';
export { checkRemove, removingContainer, removedContainer, deadContainer } from './state/container-remove.js';
export { checkExec, checkAttach, checkTop } from './state/container-exec.js';

// --- restart policy (restart/) ---
export {
  parseRestartPolicy,
  decideRestart,
  nextRestartDelay,
  shouldStartOnEngineStart,
  RESTART_INITIAL_DELAY_MS,
  RESTART_MAX_DELAY_MS,
  RESTART_RESET_AFTER_MS,
} from './restart/restart-policy.js';
export type { ExitFacts, RestartDecision } from './restart/restart-policy.js';

// --- logs (logs/) ---
export { readLogs, formatLogEntry } from './logs/read-logs.js';
export type { LogEntry, ReadLogsOptions } from './logs/read-logs.js';
export { createLogWriter } from './logs/log-writer.js';
export type { LogWriter, LogWriterOptions } from './logs/log-writer.js';
export {
  parseLogLine,
  formatLogLine,
  parseTimestamp,
  formatTimestamp,
  formatDockerTimestamp,
  dateToNs,
  nsToDate,
} from './logs/log-line.js';
export type { LogLine, LogStream } from './logs/log-line.js';
export { logFiles, rotatedLogPath } from './logs/log-files.js';

// --- archive (archive/) ---
export { statPath } from './archive/path-stat.js';
export type { PathStat, PathType, ArchiveOptions } from './archive/path-stat.js';
export { getArchive } from './archive/get-archive.js';
export type { PathArchive } from './archive/get-archive.js';
export { putArchive } from './archive/put-archive.js';
export type { PutArchiveOptions } from './archive/put-archive.js';

// --- OCI runtime seam (runtime/) ---
export type {
  OciRuntime,
  RuntimeStatus,
  ExitStatus,
  RuntimeContainer,
  RuntimeCreateOptions,
  TerminalSize,
  ExecOptions,
  ExecProcess,
  AttachOptions,
  AttachSession,
  RuntimeStats,
  RuntimeNetworkStats,
  RuntimeResourceUpdate,
  ProcessList,
} from './runtime/oci-runtime.js';

// --- fake runtime (fake/) ---
export { createFakeRuntime } from './fake/fake-runtime.js';
export type { FakeRuntime, FakeRuntimeOptions, FakeRuntimeOperation } from './fake/fake-runtime.js';
export { interpretCommand } from './fake/interpret-command.js';
export type { FakeBehaviour, FakeProcessInfo, FakeProcessScript, FakeOutput, FakeProcessView, FakeSignalAction } from './fake/fake-script.js';

// --- runc runtime (runc/) ---
export { createRuncRuntime } from './runc/runc-runtime.js';
export type { RuncRuntimeOptions } from './runc/runc-runtime.js';
