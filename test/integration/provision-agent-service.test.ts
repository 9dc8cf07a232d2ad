// The agent's service definitions: the systemd unit keeps k3s' rules, the OpenRC script and the
// supervisor are valid sh, and the supervisor really restarts an agent that exits and stops it
// with SIGTERM. It runs in a mount namespace of its own whose /usr/local/lib/kubelab, /etc/kubelab
// and /var/log/kubelab are private tmpfs, so nothing of this machine's is touched; the "agent"
// there is a small script at the bundle's path that records how it was started and stopped.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { agentService } from '../../src-main/provision/install/agent-service.ts';
import { NODE_PATHS } from '../../src-main/provision/install/node-layout.ts';
import { waitFor } from './harness/cluster.ts';

const settings = { server: 'https://198.18.0.1:6443', nodeName: 'pi-1', nodeIP: '198.18.0.11', nodePath: process.execPath };
const dir = mkdtempSync(join(tmpdir(), 'kubelab-service-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the agent service', () => {
  it('is a systemd unit that restarts the agent and kills none of its containers', () => {
    const [unit] = agentService('systemd', settings).files;
    expect(unit!.path).toBe('/etc/systemd/system/kubelab-agent.service');
    const lines = unit!.content.split('\n');
    for (const l of ['KillMode=process', 'Delegate=yes', 'Restart=always', 'Environment=MALLOC_ARENA_MAX=2', 'WantedBy=multi-user.target']) expect(lines).toContain(l);
    expect(lines.find((l) => l.startsWith('ExecStart='))).toBe(
      `ExecStart=${process.execPath} --max-semi-space-size=2 ${NODE_PATHS.bundle} --server https://198.18.0.1:6443 --token-file /etc/kubelab/join-token --node-name pi-1 --state-dir /var/lib/kubelab-agent --node-ip 198.18.0.11`,
    );
  });

  it("passes systemd's own check, which does catch a broken unit", () => {
    const [unit] = agentService('systemd', settings).files;
    const verify = (content: string) => {
      writeFileSync(join(dir, 'kubelab-agent.service'), content);
      return spawnSync('systemd-analyze', ['verify', join(dir, 'kubelab-agent.service')], { encoding: 'utf8' });
    };
    const good = verify(unit!.content);
    expect([good.status, good.stderr]).toEqual([0, '']);
    expect(verify(unit!.content.replace('KillMode=process', 'KillMode=bogus')).stderr).toContain('Failed to parse kill mode');
  });

  it('is valid sh for OpenRC and for the supervisor', () => {
    for (const init of ['openrc', 'none'] as const) {
      const [file] = agentService(init, settings).files;
      writeFileSync(join(dir, 'script'), file!.content);
      expect(() => execFileSync('sh', ['-n', join(dir, 'script')])).not.toThrow();
    }
    expect(agentService('openrc', settings).files[0]!.content).toContain('supervisor=supervise-daemon');
  });

  it('supervises: restarts an agent that exited, and stops it with SIGTERM', async () => {
    const service = agentService('none', { ...settings, nodePath: process.execPath });
    const record = join(NODE_PATHS.logDir, 'record');
    // The stand-in agent: the first run exits 3 at once, later runs wait for SIGTERM.
    const agent = `const fs=require('fs');const f=${JSON.stringify(record)};const n=fs.existsSync(f)?fs.readFileSync(f,'utf8').split('\\n').filter(Boolean).length:0;` +
      `fs.appendFileSync(f,'start '+process.env.MALLOC_ARENA_MAX+' '+process.execArgv.join(' ')+' '+process.argv.slice(2).join(' ')+'\\n');` +
      `if(n===0)process.exit(3);process.on('SIGTERM',()=>{fs.appendFileSync(f,'stop\\n');process.exit(0)});setInterval(()=>{},1000);`;
    const steps = [
      ...service.files.map((f) => `cat > ${f.path} <<'EOF_FILE'\n${f.content}EOF_FILE\nchmod ${f.mode.toString(8)} ${f.path}`),
      `cat > ${NODE_PATHS.bundle} <<'EOF_FILE'\n${agent}\nEOF_FILE`,
      service.start, 'echo started',
      // Wait for the restart (5 s after the first exit), then stop.
      `i=0; until [ "$(grep -c start ${record} 2>/dev/null)" = 2 ] || [ $i -gt 150 ]; do sleep 0.1; i=$((i+1)); done`,
      `if ${service.isActive}; then echo active; fi`,
      service.stop,
      `if ${service.isActive}; then echo still-active; else echo inactive; fi`,
      `cat ${record}`,
    ].join('\n');
    const mounts = [NODE_PATHS.libDir, NODE_PATHS.configDir, NODE_PATHS.logDir].map((d) => `mkdir -p ${d} && mount -t tmpfs tmpfs ${d}`).join(' && ');
    const child = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', `${mounts} && sh -s`], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.stdin.end(steps);
    const code = await new Promise((r) => child.once('exit', r));
    expect(code, out).toBe(0);
    const args = `--max-semi-space-size=2 --server https://198.18.0.1:6443 --token-file /etc/kubelab/join-token --node-name pi-1 --state-dir /var/lib/kubelab-agent --node-ip 198.18.0.11`;
    expect(out).toBe(`started\nactive\ninactive\nstart 2 ${args}\nstart 2 ${args}\nstop\n`);
    // Nothing of the supervisor is left running.
    await waitFor('no supervisor', () => !execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).includes(`sh ${NODE_PATHS.libDir}/supervise.sh`));
  }, 30_000);
});
