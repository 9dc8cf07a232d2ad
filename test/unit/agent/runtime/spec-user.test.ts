import { describe, expect, it } from 'vitest';
import { resolveUser } from '../../../../src-main/agent/runtime/spec-user.ts';

const db = {
  passwd: 'root:x:0:0:root:/root:/bin/sh\n# comment\nnginx:x:101:101:nginx:/var/cache/nginx:/sbin/nologin\napp:x:1000:1000::/home/app:/bin/sh\n',
  group: 'root:x:0:\nnginx:x:101:\napp:x:1000:\nstaff:x:50:app,nginx\nwww:x:33:app\n',
};

describe('container user', () => {
  it('defaults to root with its groups', () => {
    expect(resolveUser({}, db)).toEqual({ uid: 0, gid: 0, additionalGids: [0] });
    expect(resolveUser({}, {})).toEqual({ uid: 0, gid: 0, additionalGids: [0] });
  });

  it('runAsUser takes the primary gid from /etc/passwd, or 0 for an unknown uid', () => {
    expect(resolveUser({ runAsUser: 1000 }, db)).toEqual({ uid: 1000, gid: 1000, additionalGids: [1000, 50, 33] });
    expect(resolveUser({ runAsUser: 4242 }, db)).toEqual({ uid: 4242, gid: 0, additionalGids: [0] });
  });

  it('runAsGroup sets the gid, and runAsUser wins over the image user', () => {
    expect(resolveUser({ runAsUser: 1000, runAsGroup: 7, imageUser: 'nginx' }, db)).toEqual({ uid: 1000, gid: 7, additionalGids: [7, 50, 33] });
    expect(resolveUser({ runAsGroup: 7, imageUser: 'nginx' }, db)).toMatchObject({ uid: 101, gid: 7 });
  });

  it('resolves the image User forms: uid, uid:gid, name, name:group', () => {
    expect(resolveUser({ imageUser: '101' }, db)).toEqual({ uid: 101, gid: 101, additionalGids: [101, 50] });
    expect(resolveUser({ imageUser: '5000:6000' }, db)).toEqual({ uid: 5000, gid: 6000, additionalGids: [6000] });
    expect(resolveUser({ imageUser: 'nginx' }, db)).toEqual({ uid: 101, gid: 101, additionalGids: [101, 50] });
    expect(resolveUser({ imageUser: 'app:staff' }, db)).toEqual({ uid: 1000, gid: 50, additionalGids: [50, 33] });
    expect(resolveUser({ imageUser: 'app:12' }, db)).toMatchObject({ uid: 1000, gid: 12 });
  });

  it('fails for a name the rootfs does not know', () => {
    expect(() => resolveUser({ imageUser: 'ghost' }, db)).toThrow('unable to find user ghost: no matching entries in passwd file');
    expect(() => resolveUser({ imageUser: 'app:ghosts' }, db)).toThrow('unable to find group ghosts');
    expect(() => resolveUser({ imageUser: 'app' }, {})).toThrow(/unable to find user app/);
  });

  it('adds the pod supplementalGroups and fsGroup, each once', () => {
    expect(resolveUser({ runAsUser: 1000, supplementalGroups: [50, 2000], fsGroup: 3000 }, db).additionalGids).toEqual([1000, 50, 33, 2000, 3000]);
  });
});
