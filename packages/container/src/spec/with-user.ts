import type { RuntimeUser } from '@berth/spec';
import type { SpecOption } from './spec-option.js';
import { processOf } from './spec-option.js';

/**
 * Runs the process as `user` (numeric IDs: names are resolved beforehand through the
 * image's /etc/passwd with `resolveUser`). Additional gids are kept in order, without
 * duplicates.
 */
export function withUser(user: Pick<RuntimeUser, 'uid' | 'gid' | 'additionalGids' | 'umask'>): SpecOption {
  return (spec) => {
    const next: RuntimeUser = { uid: user.uid, gid: user.gid };
    if (user.additionalGids && user.additionalGids.length > 0) next.additionalGids = [...new Set(user.additionalGids)];
    if (user.umask !== undefined) next.umask = user.umask;
    processOf(spec).user = next;
  };
}
