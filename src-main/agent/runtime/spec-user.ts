// Which uid/gid a container runs as: runAsUser/runAsGroup when set, else the image's User
// ("uid", "uid:gid", "name", "name:group"), names looked up in the rootfs's /etc/passwd and
// /etc/group; a bare uid takes its primary gid from /etc/passwd, or 0 (containerd's WithUser and
// WithUserID). Supplementary groups: the primary gid, the user's /etc/group memberships, then
// the pod's supplementalGroups and fsGroup (containerd's WithAdditionalGIDs + CRI).

export interface UserDb {
  /** /etc/passwd of the rootfs, or undefined when it has none. */
  passwd?: string;
  /** /etc/group of the rootfs, or undefined when it has none. */
  group?: string;
}

export interface UserRequest {
  runAsUser?: number;
  runAsGroup?: number;
  imageUser?: string;
  supplementalGroups?: readonly number[];
  fsGroup?: number;
}

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
}

interface PasswdEntry { name: string; uid: number; gid: number }
interface GroupEntry { name: string; gid: number; members: string[] }

export function resolveUser(req: UserRequest, db: UserDb): ResolvedUser {
  const users = parsePasswd(db.passwd);
  const groups = parseGroup(db.group);
  const { uid, gid, name } = primaryIds(req, users, groups);
  const extra = name === undefined ? [] : groups.filter((g) => g.name !== name && g.members.includes(name)).map((g) => g.gid);
  const all = [gid, ...extra, ...(req.supplementalGroups ?? []), ...(req.fsGroup === undefined ? [] : [req.fsGroup])];
  return { uid, gid, additionalGids: [...new Set(all)] };
}

function primaryIds(req: UserRequest, users: PasswdEntry[], groups: GroupEntry[]): { uid: number; gid: number; name?: string } {
  if (req.runAsUser !== undefined) {
    const entry = users.find((u) => u.uid === req.runAsUser);
    return { uid: req.runAsUser, gid: req.runAsGroup ?? entry?.gid ?? 0, name: entry?.name };
  }
  const [userPart, groupPart] = splitUser(req.imageUser ?? '');
  let uid = 0;
  let gid = 0;
  let name: string | undefined;
  if (userPart !== '') {
    const entry = isNumeric(userPart) ? users.find((u) => u.uid === Number(userPart)) : users.find((u) => u.name === userPart);
    if (!entry && !isNumeric(userPart)) throw new Error(`unable to find user ${userPart}: no matching entries in passwd file`);
    uid = isNumeric(userPart) ? Number(userPart) : entry!.uid;
    gid = entry?.gid ?? 0;
    name = entry?.name;
  }
  if (groupPart !== undefined && groupPart !== '') {
    if (isNumeric(groupPart)) {
      gid = Number(groupPart);
    } else {
      const g = groups.find((e) => e.name === groupPart);
      if (!g) throw new Error(`unable to find group ${groupPart}: no matching entries in group file`);
      gid = g.gid;
    }
  }
  // runAsGroup without runAsUser still overrides the image's group, as containerd's user string
  // is built from the image user and the CRI group.
  if (req.runAsGroup !== undefined) gid = req.runAsGroup;
  return { uid, gid, name };
}

function splitUser(user: string): [string, string | undefined] {
  const colon = user.indexOf(':');
  return colon < 0 ? [user, undefined] : [user.slice(0, colon), user.slice(colon + 1)];
}

const isNumeric = (s: string) => /^\d+$/.test(s);

function lines(text: string | undefined): string[][] {
  return (text ?? '').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#')).map((l) => l.split(':'));
}

function parsePasswd(text: string | undefined): PasswdEntry[] {
  return lines(text)
    .filter((f) => f.length >= 4 && isNumeric(f[2]) && isNumeric(f[3]))
    .map((f) => ({ name: f[0], uid: Number(f[2]), gid: Number(f[3]) }));
}

function parseGroup(text: string | undefined): GroupEntry[] {
  return lines(text)
    .filter((f) => f.length >= 3 && isNumeric(f[2]))
    .map((f) => ({ name: f[0], gid: Number(f[2]), members: (f[3] ?? '').split(',').map((m) => m.trim()).filter(Boolean) }));
}
