/**
 * The events an engine reports (`docker events`): one discriminated union over the object
 * type, each with docker's action names. Extra facts (the exec command, the health status,
 * the exit code, the old name of a renamed container) are in `actor.attributes`, under
 * docker's attribute names, so the Docker API codec can rebuild docker's action strings
 * (`exec_start: sh -c …`, `health_status: healthy`).
 */

/** Actions of container events. */
export type ContainerEventAction =
  | 'create'
  | 'start'
  | 'die'
  | 'kill'
  | 'stop'
  | 'pause'
  | 'unpause'
  | 'restart'
  | 'destroy'
  | 'rename'
  | 'update'
  | 'exec_create'
  | 'exec_start'
  | 'exec_die'
  | 'health_status'
  | 'oom'
  | 'attach'
  | 'commit'
  | 'export'
  | 'prune';

/** Actions of image events. */
export type ImageEventAction = 'pull' | 'push' | 'tag' | 'untag' | 'delete' | 'load' | 'save' | 'import' | 'prune';

/** Actions of network events. */
export type NetworkEventAction = 'create' | 'connect' | 'disconnect' | 'destroy' | 'prune';

/** Actions of volume events. */
export type VolumeEventAction = 'create' | 'mount' | 'unmount' | 'destroy' | 'prune';

/** What an event is about: the object's ID (or name, for volumes and images by name) and facts. */
export interface EventActor {
  /** Container ID, image ID or reference, network ID, volume name. */
  id: string;
  /** Docker's attributes: `name`, `image`, labels, `exitCode`, `signal`, `container`, `driver`, … */
  attributes: Record<string, string>;
}

interface EventBase {
  actor: EventActor;
  scope: 'local';
  /** When it happened. */
  time: Date;
  /** Position in this engine's event stream: strictly increasing, so events have one order. */
  seq: number;
}

/** An event about a container. */
export interface ContainerEvent extends EventBase {
  type: 'container';
  action: ContainerEventAction;
}

/** An event about an image. */
export interface ImageEvent extends EventBase {
  type: 'image';
  action: ImageEventAction;
}

/** An event about a network. */
export interface NetworkEvent extends EventBase {
  type: 'network';
  action: NetworkEventAction;
}

/** An event about a volume. */
export interface VolumeEvent extends EventBase {
  type: 'volume';
  action: VolumeEventAction;
}

/** Anything `engine.events()` yields. */
export type EngineEvent = ContainerEvent | ImageEvent | NetworkEvent | VolumeEvent;

/** The object types of events. */
export type EngineEventType = EngineEvent['type'];

/** An event before the bus stamps it (time and order are the bus's). */
export type EngineEventInput =
  | Omit<ContainerEvent, 'time' | 'seq' | 'scope'>
  | Omit<ImageEvent, 'time' | 'seq' | 'scope'>
  | Omit<NetworkEvent, 'time' | 'seq' | 'scope'>
  | Omit<VolumeEvent, 'time' | 'seq' | 'scope'>;

/**
 * Docker's event filters, values per key (any value of a key matches; all keys must):
 * `type`, `event` (action), `container` (ID, ID prefix or name), `image` (ID or name, also
 * a container's image), `network` (ID or name), `volume` (name), `label` (`key` or
 * `key=value`, on the actor's attributes), `scope` (`local`). Other keys are `InvalidArgument`.
 */
export type EventFilters = Record<string, readonly string[]>;

/** Options of `engine.events()`. */
export interface EventsOptions {
  filters?: EventFilters;
  /**
   * Replay buffered events from this time on (the buffer is bounded: older events are
   * gone). Without `since`, only new events are yielded.
   */
  since?: Date;
  /** End the stream at this time; a time in the past ends it after the replay. */
  until?: Date;
  /** Ends the iteration (without an error) when aborted. */
  signal?: AbortSignal;
}
