import { queryBooleanOrDefault } from './query-values.js';

/** The query parameters of `POST /commit` (the body is a `ContainerConfig`). */
export interface CommitParams {
  /** The container to commit, by ID or name. */
  container: string;
  /** Repository of the new image; empty for an untagged image. */
  repo: string;
  /** Tag of the new image; empty means `latest` when `repo` is set. */
  tag: string;
  /** Commit message. */
  comment: string;
  /** Author, e.g. `Jane <jane@example.com>`. */
  author: string;
  /** Pause the container while committing; dockerd defaults to `true`. */
  pause: boolean;
  /** Dockerfile instructions to apply (`CMD ["sh"]`, `ENV A=b`…), one per repeated `changes` parameter. */
  changes: string[];
}

/**
 * Reads `POST /commit` query parameters as dockerd does. `changes` may be repeated; dockerd
 * parses the values joined by newlines as a Dockerfile, so one value may hold several lines.
 */
export function parseCommitParams(query: URLSearchParams): CommitParams {
  return {
    container: query.get('container') ?? '',
    repo: query.get('repo') ?? '',
    tag: query.get('tag') ?? '',
    comment: query.get('comment') ?? '',
    author: query.get('author') ?? '',
    pause: queryBooleanOrDefault(query.get('pause'), true),
    changes: query.getAll('changes'),
  };
}

/** The query string of `POST /commit` for `params`; defaults are left out. */
export function encodeCommitParams(params: Partial<CommitParams> & Pick<CommitParams, 'container'>): URLSearchParams {
  const query = new URLSearchParams({ container: params.container });
  for (const key of ['repo', 'tag', 'comment', 'author'] as const) {
    const value = params[key];
    if (value !== undefined && value !== '') query.set(key, value);
  }
  if (params.pause === false) query.set('pause', '0');
  for (const change of params.changes ?? []) query.append('changes', change);
  return query;
}
