import type { ExecProcess } from '@berth/container';
import type { ExecCreateOptions } from './container-types.js';

/** An exec the engine knows: made by `exec`, run by `execStart`. Kept in memory only, as docker does. */
export interface ExecEntry {
  id: string;
  containerId: string;
  options: ExecCreateOptions;
  running: boolean;
  exitCode: number | undefined;
  pid: number;
  process?: ExecProcess;
  started: boolean;
  /** Settles once a started exec runs or has failed to (set by `execStart`). */
  launched?: Promise<void>;
}
