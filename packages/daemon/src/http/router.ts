import type { RequestContext } from './request-context.js';

/** What a route does with a request; it must answer (or hijack) before resolving. */
export type RouteHandler = (ctx: RequestContext) => Promise<void>;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: RouteHandler;
}

/** A route matched to a request: its handler and path parameters. */
export interface RouteMatch {
  handler: RouteHandler;
  params: Record<string, string>;
}

/**
 * The daemon's router: docker's route table, tried in registration order. Patterns use
 * `{name}` for one path segment and `{name*}` for a greedy one (image names contain `/`:
 * `/images/{name*}/json`), as dockerd's `{name:.*}`.
 */
export class Router {
  readonly #routes: Route[] = [];

  /** Adds a route; register specific routes (`/images/json`) before greedy ones. */
  add(method: string, path: string, handler: RouteHandler): this {
    const names: string[] = [];
    const source = path
      .split(/(\{[a-zA-Z]+\*?\})/)
      .map((part) => {
        const param = /^\{([a-zA-Z]+)(\*?)\}$/.exec(part);
        if (!param) return part.replace(/[.+?^$()[\]\\|]/g, '\\$&');
        names.push(param[1]!);
        return param[2] === '*' ? '(.+)' : '([^/]+)';
      })
      .join('');
    this.#routes.push({ method, pattern: new RegExp(`^${source}/?$`), names, handler });
    return this;
  }

  /** The route for `method path`, or `undefined` (dockerd answers 404 `page not found`). `HEAD` falls back to `GET`. */
  match(method: string, path: string): RouteMatch | undefined {
    return this.#find(method, path) ?? (method === 'HEAD' ? this.#find('GET', path) : undefined);
  }

  #find(method: string, path: string): RouteMatch | undefined {
    for (const route of this.#routes) {
      if (route.method !== method) continue;
      const match = route.pattern.exec(path);
      if (!match) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => {
        params[name] = safeDecode(match[i + 1]!);
      });
      return { handler: route.handler, params };
    }
    return undefined;
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
