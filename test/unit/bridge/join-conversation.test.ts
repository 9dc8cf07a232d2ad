// The add-node stream's protocol: questions go out one at a time and only an answer of the same
// kind (with a real yes/no) resolves one; closing the stream answers "no" and stops the join at
// its next step (the cleanup still runs); the form is checked without ever repeating a secret.
import { describe, expect, it } from 'vitest';
import type { JoinMessage } from '../../../src-main/bridge/api/node-join.ts';
import { JoinCancelled, JoinConversation } from '../../../src-main/bridge/join-conversation.ts';
import { Session } from '../../../src-main/bridge/session.ts';
import { checkJoinParams, nodeJoinServices } from '../../../src-main/bridge/services/node-join.ts';
import type { KubeClient } from '../../../src-main/client/kube-client.ts';

const hostKey: Extract<JoinMessage, { type: 'host-key' }> = { type: 'host-key', host: '10.0.0.5', port: 22, key: { algorithm: 'ssh-ed25519', fingerprint: 'SHA256:abc' } };

function conversation() {
  const pushed: JoinMessage[] = [];
  return { talk: new JoinConversation((m) => pushed.push(m)), pushed };
}

describe('JoinConversation', () => {
  it('pushes the question and resolves with the matching answer only', async () => {
    const { talk, pushed } = conversation();
    let answer: boolean | undefined;
    const asked = talk.ask(hostKey).then((yes) => (answer = yes));
    expect(pushed).toEqual([hostKey]);
    talk.receive({ type: 'packages', install: true });
    talk.receive({ type: 'host-key', trust: 'yes' });
    talk.receive('host-key');
    talk.receive(null);
    await Promise.resolve();
    expect(answer).toBeUndefined();
    talk.receive({ type: 'host-key', trust: true });
    await asked;
    expect(answer).toBe(true);
    // A second answer to a question already answered changes nothing.
    talk.receive({ type: 'host-key', trust: false });
    expect(answer).toBe(true);
  });

  it('answers the packages question with install', async () => {
    const { talk } = conversation();
    const asked = talk.ask({ type: 'packages', manager: 'apt-get', packages: ['runc'] });
    talk.receive({ type: 'packages', install: false });
    expect(await asked).toBe(false);
  });

  it('answers "no" to the open question when the stream closes, and to every later one', async () => {
    const { talk, pushed } = conversation();
    const asked = talk.ask(hostKey);
    talk.cancel();
    expect(await asked).toBe(false);
    expect(await talk.ask({ type: 'packages', manager: 'apt-get', packages: ['runc'] })).toBe(false);
    expect(pushed).toHaveLength(1);
  });

  it('reports steps, and after a cancel stops the next step but not the cleanup', () => {
    const { talk, pushed } = conversation();
    talk.report({ host: 'root@h', step: 'facts', status: 'started' });
    talk.report({ host: 'root@h', step: 'facts', status: 'done', durationMs: 120 });
    talk.cancel();
    expect(() => talk.report({ host: 'root@h', step: 'install', status: 'started' })).toThrow(JoinCancelled);
    // The step that was running when the stream closed still reports its end.
    talk.report({ host: 'root@h', step: 'stage', status: 'failed', durationMs: 5, detail: 'x' });
    talk.report({ host: 'root@h', step: 'cleanup', status: 'started' });
    expect(pushed).toEqual([
      { type: 'step', step: { step: 'facts', status: 'started' } },
      { type: 'step', step: { step: 'facts', status: 'done', durationMs: 120 } },
      { type: 'step', step: { step: 'stage', status: 'failed', durationMs: 5, detail: 'x' } },
      { type: 'step', step: { step: 'cleanup', status: 'started' } },
    ]);
  });
});

describe('checkJoinParams', () => {
  const form = { host: '192.168.1.20', user: 'pi', auth: { kind: 'password', password: 'hunter2' }, sudoPassword: 's3cret' };

  it('keeps what the join needs, with port 22 by default', () => {
    expect(checkJoinParams({ ...form, nodeName: 'pi-1', tunnel: true, jump: 'root@bastion', server: 'https://10.0.0.1:6443' })).toEqual({
      host: '192.168.1.20', port: 22, user: 'pi', auth: { kind: 'password', password: 'hunter2' }, sudoPassword: 's3cret', nodeName: 'pi-1', tunnel: true, jump: 'root@bastion', server: 'https://10.0.0.1:6443',
    });
    expect(checkJoinParams({ host: 'fe80::1', port: 2222, user: 'root', auth: { kind: 'key', path: '/k', passphrase: 'p' }, remember: true })).toMatchObject({ port: 2222, auth: { kind: 'key', path: '/k', passphrase: 'p' }, remember: true });
  });

  it('names the bad field and never repeats a secret', () => {
    const errors = [
      () => checkJoinParams({ ...form, host: 'bad host' }),
      () => checkJoinParams({ ...form, user: 'a b' }),
      () => checkJoinParams({ ...form, port: 0 }),
      () => checkJoinParams({ ...form, auth: { kind: 'magic', password: 'hunter2' } }),
      () => checkJoinParams({ ...form, auth: { kind: 'password', password: 42 } }),
      () => checkJoinParams({ ...form, auth: { kind: 'key', path: ' ' } }),
      () => checkJoinParams({ ...form, jump: 'x@@y' }),
      () => checkJoinParams({ ...form, nodeName: 'Not_A_Name' }),
      () => checkJoinParams({ ...form, server: 'http://10.0.0.1:6443' }),
      () => checkJoinParams({ ...form, remember: 'yes' }),
      () => checkJoinParams({ ...form, auth: { kind: 'key', path: '/k' }, remember: true }),
    ].map((f) => {
      try {
        f();
        return 'no error';
      } catch (e) {
        return (e as Error).message;
      }
    });
    expect(errors).toEqual([
      'joinNode: "pi@bad host:22" is not [user@]host[:port]: it has spaces',
      'joinNode: "a b@192.168.1.20:22" is not [user@]host[:port]: it has spaces',
      'joinNode: port must be an integer from 1 to 65535',
      'joinNode auth: kind must be one of key, agent, password',
      'joinNode auth: password must be a string',
      'joinNode: the key file is empty',
      'joinNode: jump host: "x@@y" is not [user@]host[:port]: "x@" is not a valid user name',
      'joinNode: nodeName must be a valid Kubernetes name',
      'joinNode: the API address must be an https URL, e.g. https://192.168.1.10:6443',
      'joinNode: remember must be true or false',
      'joinNode: remember: there is no password or key passphrase to remember',
    ]);
    for (const e of errors) expect(e).not.toMatch(/hunter2|s3cret/);
  });
});

describe('joinNode on a cluster from a kubeconfig', () => {
  it('is refused with a clear error, and no stream opens', async () => {
    const session = new Session(() => undefined);
    const { joinNode } = nodeJoinServices({ client: {} as KubeClient });
    await expect(joinNode.run(checkJoinParams({ host: 'h', user: 'root', auth: { kind: 'agent' } }), { session })).rejects.toThrow('adding a node over SSH needs the built-in control plane');
    expect(session.streamCount).toBe(0);
  });
});
