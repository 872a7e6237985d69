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
 * The native `mount(2)`/`umount2(2)` calls, or `undefined` when they cannot be had: not
 * Linux, or the addon was not built (`npm run build:native -w @berth/linux-syscalls`, which
 * `scripts/setup` runs) or fails to load. Never throws: callers fall back to `mount(8)`.
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
    if (typeof addon.mount !== 'function' || typeof addon.umount2 !== 'function') return undefined;
    return { mount: addon.mount, umount2: addon.umount2 };
  } catch {
    return undefined;
  }
}
