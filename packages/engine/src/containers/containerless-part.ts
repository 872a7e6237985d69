import { NotFoundError, NotImplementedError } from '@berth/errdefs';
import type { ContainersApi } from '../engine.js';
import type { ContainerPart } from './engine-containers.js';


/**
 * The container part of an engine without a container host (no runtime): no containers
 * exist, lookups are `NotFound`, creation is `NotImplemented`.
 */
export function containerlessPart(): ContainerPart {
  const missing = async (id: string): Promise<never> => {
    throw new NotFoundError(`No such container: ${id}`);
  };
  const unsupported = async (): Promise<never> => {
    throw new NotImplementedError('containers are not available in this engine yet');
  };
  const api: ContainersApi = {
    create: unsupported,
    start: missing,
    stop: missing,
    kill: missing,
    restart: missing,
    pause: missing,
    unpause: missing,
    remove: missing,
    wait: missing,
    logs: (id) => ({ [Symbol.asyncIterator]: () => ({ next: () => missing(id) }) }),
    attach: missing,
    resize: missing,
    exec: missing,
    execStart: (id) => Promise.reject(new NotFoundError(`No such exec instance: ${id}`)),
    execInspect: (id) => Promise.reject(new NotFoundError(`No such exec instance: ${id}`)),
    execResize: (id) => Promise.reject(new NotFoundError(`No such exec instance: ${id}`)),
    inspect: missing,
    list: async () => [],
    top: missing,
    stats: (id) => ({ [Symbol.asyncIterator]: () => ({ next: () => missing(id) }) }),
    rename: missing,
    update: missing,
    getArchive: missing,
    statPath: missing,
    putArchive: missing,
    export: missing,
    commit: missing,
    changes: missing,
    prune: async () => ({ containersDeleted: [], spaceReclaimed: 0 }),
  };
  return {
    api,
    imageUsers: () => [],
    count: () => ({ total: 0, running: 0, paused: 0, stopped: 0 }),
    connect: (_network, container) => missing(container),
    disconnect: (_network, container) => missing(container),
    close: async () => undefined,
  };
}
