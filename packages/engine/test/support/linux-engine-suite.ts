import type { Engine } from '@berth/engine';
import { makeTempDir } from '@berth/testkit';
import { afterAll, beforeAll } from 'vitest';
import { type LinuxEngineRoots, disposeLinuxEngine, linuxEngineRoots, loadBusybox, openLinuxEngine, removeStateRoot } from './linux-engine-fixture.js';

/** The real engine of one test file, with busybox loaded: valid from `beforeAll` on. */
export interface LinuxEngineSuite {
  readonly engine: Engine;
  readonly roots: LinuxEngineRoots;
  /** The file's temporary directory (the data root's parent), removed after all. */
  readonly dir: string;
}

/**
 * Opens the real engine (runc, overlayfs) on fresh roots under a temp dir named `prefix` before
 * the file's tests, loads busybox, and disposes of everything after them. A separate module
 * from linux-engine-fixture.ts, which the restore child process imports outside vitest.
 */
export function useLinuxEngine(prefix: string): LinuxEngineSuite {
  let dir: { path: string; remove: () => Promise<void> } | undefined;
  let roots: LinuxEngineRoots | undefined;
  let engine: Engine | undefined;
  beforeAll(async () => {
    dir = await makeTempDir(prefix);
    roots = linuxEngineRoots(dir.path);
    engine = await openLinuxEngine(roots);
    await loadBusybox(engine, dir.path);
  });
  afterAll(async () => {
    await disposeLinuxEngine(engine);
    if (roots) await removeStateRoot(roots);
    await dir?.remove();
  });
  return {
    get engine() {
      return engine!;
    },
    get roots() {
      return roots!;
    },
    get dir() {
      return dir!.path;
    },
  };
}
