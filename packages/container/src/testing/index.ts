/**
 * Test fixtures for users of @berth/container: a root file system full of hostile
 * links (for anything resolving container paths), tar helpers, and k8s-file logs.
 * The fake runtime and the manual clock are product code (the in-memory engine runs on
 * them) and are exported from the main entry.
 *
 * @packageDocumentation
 */
export { hostileRootfs, tarOf, readTar } from './hostile-rootfs.js';
export type { Member } from './hostile-rootfs.js';
export { writeLogFile } from './write-log-file.js';
export type { LogFileLine } from './write-log-file.js';
