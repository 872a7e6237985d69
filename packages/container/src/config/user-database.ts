/** An entry of /etc/passwd. */
export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

/** An entry of /etc/group. */
export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

/** The user and group databases of a root file system (either may be missing). */
export interface UserDatabase {
  passwd: PasswdEntry[];
  group: GroupEntry[];
}

function lines(text: string): string[][] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(':'));
}

function id(field: string | undefined): number | undefined {
  if (field === undefined || !/^\d+$/.test(field)) return undefined;
  return Number(field);
}

/** Parses /etc/passwd (`name:password:uid:gid:gecos:home:shell`); malformed lines are skipped. */
export function parsePasswd(text: string): PasswdEntry[] {
  const entries: PasswdEntry[] = [];
  for (const fields of lines(text)) {
    const uid = id(fields[2]);
    const gid = id(fields[3]);
    if (!fields[0] || uid === undefined || gid === undefined) continue;
    entries.push({ name: fields[0], uid, gid, home: fields[5] ?? '', shell: fields[6] ?? '' });
  }
  return entries;
}

/** Parses /etc/group (`name:password:gid:member,member`); malformed lines are skipped. */
export function parseGroup(text: string): GroupEntry[] {
  const entries: GroupEntry[] = [];
  for (const fields of lines(text)) {
    const gid = id(fields[2]);
    if (!fields[0] || gid === undefined) continue;
    const members = (fields[3] ?? '').split(',').map((m) => m.trim()).filter((m) => m !== '');
    entries.push({ name: fields[0], gid, members });
  }
  return entries;
}

/** A {@link UserDatabase} from the texts of /etc/passwd and /etc/group (absent files count as empty). */
export function userDatabase(passwd: string | undefined, group: string | undefined): UserDatabase {
  return { passwd: passwd === undefined ? [] : parsePasswd(passwd), group: group === undefined ? [] : parseGroup(group) };
}
