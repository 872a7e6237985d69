import { InvalidArgumentError } from '@berth/errdefs';
import type { EngineEvent, EventFilters } from './event-types.js';

const knownKeys = new Set(['type', 'event', 'container', 'image', 'network', 'volume', 'label', 'scope']);

/** Refuses filter keys docker does not know (`InvalidArgument`, as docker's 400). */
export function checkEventFilters(filters: EventFilters): void {
  for (const key of Object.keys(filters)) {
    if (!knownKeys.has(key)) throw new InvalidArgumentError(`invalid filter '${key}'`, { details: { key } });
  }
}

function matchesObject(values: readonly string[] | undefined, id: string, name: string | undefined): boolean {
  if (values === undefined || values.length === 0) return true;
  return values.some((value) => value === id || (value.length >= 1 && id.startsWith(value) && /^[0-9a-f]+$/.test(value)) || value === name);
}

function matchesLabel(attributes: Record<string, string>, term: string): boolean {
  const at = term.indexOf('=');
  return at < 0 ? term in attributes : attributes[term.slice(0, at)] === term.slice(at + 1);
}

/**
 * Whether `event` passes docker's event filters: the object filters (`container`, `image`,
 * `network`, `volume`) only constrain events of their own type, except that `image` also
 * matches container events of containers made from that image.
 */
export function matchesEventFilters(event: EngineEvent, filters: EventFilters): boolean {
  const { actor } = event;
  const any = (key: string) => filters[key] !== undefined && filters[key]!.length > 0;
  if (any('type') && !filters.type!.includes(event.type)) return false;
  if (any('event') && !filters.event!.includes(event.action)) return false;
  if (any('scope') && !filters.scope!.includes(event.scope)) return false;
  if (any('label') && !filters.label!.every((term) => matchesLabel(actor.attributes, term))) return false;
  // Docker ORs the object filters: an event passes when it is about any named object.
  const objectKeys = ['container', 'image', 'network', 'volume'].filter(any);
  if (objectKeys.length === 0) return true;
  return objectKeys.some((key) => {
    const values = filters[key];
    switch (key) {
      case 'container':
        return event.type === 'container' && matchesObject(values, actor.id, actor.attributes.name);
      case 'image':
        if (event.type === 'image') return matchesObject(values, actor.id, actor.attributes.name);
        if (event.type === 'container') return values!.some((value) => value === actor.attributes.image);
        return false;
      case 'network':
        return event.type === 'network' && matchesObject(values, actor.id, actor.attributes.name);
      case 'volume':
        return event.type === 'volume' && matchesObject(values, actor.id, undefined);
      default:
        return false;
    }
  });
}
