import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { LinuxSyscalls } from './linux-syscalls.js';

/**
 * The addon `node-gyp` builds, relative to this module: both `src/` (run from source) and
 * `dist/` (the tsup build) sit one level below the package root.
 */
const addonPath = fileURLToPath(new URL('../build/Release/linux_syscalls.node', import.meta.url));

let loaded: { syscalls: LinuxSyscalls | undefined } | undefined;

/**
 * The native calls (`mount(2)`, `umount2(2)`, `posix_spawn(3)`…), or `undefined` when they
 * cannot be had: not Linux, or the addon was not built (`npm run build:native -w @berth/linux-syscalls`, which
 * `scripts/setup` runs) or fails to load. Never throws: callers fall back to `mount(8)` and `child_process`.
 * Loaded once per process.
 */
export function loadLinuxSyscalls(): LinuxSyscalls | undefined {
  loaded ??= { syscalls: tryLoad() };
  return loaded.syscalls;
}

function tryLoad(): LinuxSyscalls | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const addon = createRequire(import.meta.url)(addonPath) as Partial<LinuxSyscalls>;
    const { mount, umount2, pipe, spawn, waitpid, close } = addon;
    // An addon built from older sources lacks calls: treat it as not built (setup rebuilds it).
    if (!mount || !umount2 || !pipe || !spawn || !waitpid || !close) return undefined;
    return { mount, umount2, pipe, spawn, waitpid, close };
  } catch {
    return undefined;
  }
}
