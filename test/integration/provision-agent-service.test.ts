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
    const service = agentService('none', settings);
    const out = await runWithService(service, privateFolders());
    expect(out).toBe(`started\nactive\ninactive\n${startLine}${startLine}stop\n`);
    // Nothing of the supervisor is left running.
    await waitFor('no supervisor', () => !execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).includes(`sh ${NODE_PATHS.libDir}/supervise.sh`));
  }, 30_000);

  it("runs under OpenRC's supervise-daemon: started, respawned after an exit, stopped with SIGTERM", async () => {
    // Debian's openrc binaries, unpacked (not installed: they would replace this machine's
    // init scripts) and laid over /usr and /etc in the test's mount namespace, where OpenRC is
    // booted into its sysinit state as on an Alpine machine; a stand-in networking service
    // provides the `net` the agent's script needs.
    const pkgs = join(dir, 'openrc');
    execFileSync('sh', ['-c', `mkdir -p ${pkgs} && cd ${pkgs} && apt-get download openrc librc1 libeinfo1 && for d in *.deb; do dpkg-deb -x "$d" root; done`], { stdio: 'pipe' });
    const [usr, etc] = [join(pkgs, 'usr'), join(pkgs, 'etc')];
    execFileSync('sh', ['-c', [
      `mkdir -p ${usr}/lib/x86_64-linux-gnu ${usr}/sbin ${usr}-work ${etc}/runlevels/sysinit ${etc}/runlevels/boot ${etc}/runlevels/default ${etc}-work`,
      `cp -a ${pkgs}/root/lib/rc ${usr}/lib/ && cp -a ${pkgs}/root/sbin/. ${usr}/sbin/`,
      // The libraries land in /lib or /usr/lib depending on the package's build.
      `for d in ${pkgs}/root/lib/x86_64-linux-gnu ${pkgs}/root/usr/lib/x86_64-linux-gnu; do if [ -d "$d" ]; then cp -a "$d/." ${usr}/lib/x86_64-linux-gnu/; fi; done`,
      `cp -a ${pkgs}/root/etc/. ${etc}/ && touch ${etc}/insserv.conf`,
      `printf '#!/sbin/openrc-run\\ndepend() { provide net; }\\nstart() { return 0; }\\n' > ${etc}/init.d/networking && chmod 755 ${etc}/init.d/networking`,
    ].join(' && ')]);
    const boot = [
      `mount -t overlay overlay -o lowerdir=/usr,upperdir=${usr},workdir=${usr}-work /usr`,
      `mount -t overlay overlay -o lowerdir=/etc,upperdir=${etc},workdir=${etc}-work /etc`,
      'mount -t tmpfs tmpfs /run', 'openrc sysinit >/dev/null 2>&1',
      privateFolders(),
    ].join(' && ');
    const service = agentService('openrc', settings);
    const out = await runWithService(service, boot);
    expect(out).toBe(`started\nactive\ninactive\n${startLine}${startLine}stop\n`);
    await waitFor('no supervise-daemon', () => !execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).includes('supervise-daemon kubelab-agent'));
  }, 60_000);
});

const record = join(NODE_PATHS.logDir, 'record');
const startLine = `start 2 --max-semi-space-size=2 --server https://198.18.0.1:6443 --token-file /etc/kubelab/join-token --node-name pi-1 --state-dir /var/lib/kubelab-agent --node-ip 198.18.0.11\n`;

/** The agent's folders as private tmpfs, in the test's own mount namespace. */
const privateFolders = () => [NODE_PATHS.libDir, NODE_PATHS.configDir, NODE_PATHS.logDir].map((d) => `mkdir -p ${d} && mount -t tmpfs tmpfs ${d}`).join(' && ');

/**
 * Installs the service with a stand-in agent at the bundle's path (its first run exits 3 at
 * once, later runs wait for SIGTERM, each recording how it was started), starts it, waits for the
 * restart, stops it; prints what it saw. Runs in a mount namespace set up by `setup`.
 */
async function runWithService(service: ReturnType<typeof agentService>, setup: string): Promise<string> {
  const agent = `const fs=require('fs');const f=${JSON.stringify(record)};const n=fs.existsSync(f)?fs.readFileSync(f,'utf8').split('\\n').filter(Boolean).length:0;` +
    `fs.appendFileSync(f,'start '+process.env.MALLOC_ARENA_MAX+' '+process.execArgv.join(' ')+' '+process.argv.slice(2).join(' ')+'\\n');` +
    `if(n===0)process.exit(3);process.on('SIGTERM',()=>{fs.appendFileSync(f,'stop\\n');process.exit(0)});setInterval(()=>{},1000);`;
  const steps = [
    ...service.files.map((f) => `cat > ${f.path} <<'EOF_FILE'\n${f.content}EOF_FILE\nchmod ${f.mode.toString(8)} ${f.path}`),
    `cat > ${NODE_PATHS.bundle} <<'EOF_FILE'\n${agent}\nEOF_FILE`,
    `{ ${service.start}; } >/dev/null 2>&1`, 'echo started',
    // Wait for the restart (5 s after the first exit), then stop.
    `i=0; until [ "$(grep -c start ${record} 2>/dev/null)" = 2 ] || [ $i -gt 200 ]; do sleep 0.1; i=$((i+1)); done`,
    `if { ${service.isActive}; } >/dev/null 2>&1; then echo active; fi`,
    `{ ${service.stop}; } >/dev/null 2>&1`,
    `if { ${service.isActive}; } >/dev/null 2>&1; then echo still-active; else echo inactive; fi`,
    `cat ${record}`,
  ].join('\n');
  const child = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', `${setup} && sh -s`], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  child.stdin.end(steps);
  const code = await new Promise((r) => child.once('exit', r));
  expect(code, out).toBe(0);
  return out;
}
