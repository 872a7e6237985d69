import type { EngineEvent } from '@berth/engine';
import type { EventMessage } from '../generated/engine-api-schemas.js';

/**
 * An engine event → docker's `EventMessage`. Actions that docker decorates are rebuilt from the
 * actor's attributes (`exec_start: sh -c …`, `health_status: healthy`); container and image
 * events also carry the deprecated `status`/`id`/`from` fields old clients read.
 */
export function eventToWire(event: EngineEvent): EventMessage {
  const action = decoratedAction(event);
  const timeNano = event.time.getTime() * 1_000_000;
  const message: EventMessage = {
    Type: event.type,
    Action: action,
    Actor: { ID: event.actor.id, Attributes: event.actor.attributes },
    scope: event.scope,
    time: Math.floor(event.time.getTime() / 1000),
    timeNano,
  };
  if (event.type === 'container' || event.type === 'image') {
    message.status = action;
    message.id = event.actor.id;
    if (event.type === 'container' && event.actor.attributes['image'] !== undefined) message.from = event.actor.attributes['image'];
  }
  return message;
}

function decoratedAction(event: EngineEvent): string {
  const attributes = event.actor.attributes;
  if (event.type !== 'container') return event.action;
  switch (event.action) {
    case 'exec_create':
    case 'exec_start': {
      const command = attributes['commandLine'];
      return command ? `${event.action}: ${command}` : event.action;
    }
    case 'health_status': {
      const status = attributes['healthStatus'];
      return status ? `health_status: ${status}` : event.action;
    }
    default:
      return event.action;
  }
}
