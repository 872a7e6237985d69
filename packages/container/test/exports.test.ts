import * as container from '@berth/container';
import * as conformance from '@berth/container/conformance';
import * as testing from '@berth/container/testing';
import { describe, expect, it } from 'vitest';

describe('@berth/container exports', () => {
  it('exports config, spec, state, restart, logs, archive and the runtimes', () => {
    for (const name of [
      'parseContainerConfig',
      'mergeImageConfig',
      'resolveUser',
      'readUserDatabase',
      'resolveInRoot',
      'createRuntimeSpec',
      'buildRuntimeSpec',
      'withUser',
      'withMounts',
      'withResources',
      'startContainer',
      'removingContainer',
      'decideRestart',
      'readLogs',
      'createLogWriter',
      'getArchive',
      'putArchive',
      'statPath',
      'createFakeRuntime',
      'createRuncRuntime',
      'createManualClock',
    ] as const) {
      expect(typeof container[name], name).toBe('function');
    }
    expect(typeof conformance.describeOciRuntime).toBe('function');
    expect(typeof testing.hostileRootfs).toBe('function');
    expect(typeof testing.writeLogFile).toBe('function');
  });
});
