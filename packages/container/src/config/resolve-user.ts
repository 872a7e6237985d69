import { InvalidArgumentError } from '@berth/errdefs';
import type { RuntimeUser } from '@berth/spec';
import type { UserDatabase } from './user-database.js';

/** The largest uid/gid runc accepts. */
const maxId = 2 ** 31 - 1;

/** A user resolved to IDs, with the home directory from /etc/passwd (`/` when unknown). */
export interface ResolvedUser extends RuntimeUser {
  uid: number;
  gid: number;
  /** The primary gid first, then supplementary groups, then `groupAdd`. */
  additionalGids: number[];
  home: string;
}

function numeric(value: string): number | undefined {
  if (!/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  if (n > maxId) throw new InvalidArgumentError('uids and gids must be in range 0-2147483647');
  return n;
}

/**
 * Resolves a docker user spec — `''` (root), `name`, `uid`, `name:group`, `uid:gid`, any
 * mix — against a root file system's user database, as runc's `GetExecUser` does:
 * - a name must exist in /etc/passwd; a uid need not (gid then defaults to 0, home to `/`);
 * - a group name must exist in /etc/group; a gid need not;
 * - without an explicit group, the user's supplementary groups (by membership) are added;
 * - `groupAdd` entries (names or gids) are appended.
 * `InvalidArgument` with runc's wording ("unable to find user x: no matching entries in
 * passwd file") when a name is unknown.
 */
export function resolveUser(spec: string, db: UserDatabase, groupAdd: readonly string[] = []): ResolvedUser {
  const colon = spec.indexOf(':');
  const userPart = colon < 0 ? spec : spec.slice(0, colon);
  const groupPart = colon < 0 ? '' : spec.slice(colon + 1);

  // Root is the default; it is looked up too, for its home and groups.
  const userArg = userPart === '' ? '0' : userPart;
  const uidArg = numeric(userArg);
  const entry = db.passwd.find((u) => (uidArg === undefined ? u.name === userArg : u.uid === uidArg));
  let uid = 0;
  let gid = 0;
  let home = '/';
  let name: string | undefined;
  if (entry) {
    ({ uid, gid, home } = entry);
    name = entry.name;
  } else if (uidArg === undefined) {
    throw new InvalidArgumentError(`unable to find user ${userArg}: no matching entries in passwd file`);
  } else {
    uid = uidArg;
  }

  const supplementary: number[] = [];
  if (groupPart !== '') {
    const gidArg = numeric(groupPart);
    const group = db.group.find((g) => (gidArg === undefined ? g.name === groupPart : g.gid === gidArg));
    if (group) gid = group.gid;
    else if (gidArg !== undefined) gid = gidArg;
    else throw new InvalidArgumentError(`unable to find group ${groupPart}: no matching entries in group file`);
  } else if (name !== undefined) {
    for (const group of db.group) if (group.members.includes(name)) supplementary.push(group.gid);
  }

  const added = groupAdd.map((g) => {
    const gidArg = numeric(g);
    const group = db.group.find((entry) => (gidArg === undefined ? entry.name === g : entry.gid === gidArg));
    if (group) return group.gid;
    if (gidArg !== undefined) return gidArg;
    throw new InvalidArgumentError(`Unable to find group ${g}: no matching entries in group file`);
  });

  const additionalGids = [...new Set([gid, ...supplementary, ...added])];
  const user: ResolvedUser = { uid, gid, additionalGids, home: home || '/' };
  if (name !== undefined) user.username = name;
  return user;
}
