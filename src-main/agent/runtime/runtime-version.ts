// The OCI runtime's version, as nodeInfo.containerRuntimeVersion reports it (`runc://1.1.5`).
// A runtime that does not answer leaves the node NotReady: the kubelet's "container runtime is
// down".
import { execFile } from 'node:child_process';

export type RuntimeName = 'runc' | 'crun';

export function runtimeVersion(runtime: RuntimeName, binary: string = runtime): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(binary, ['--version'], { timeout: 5000 }, (err, stdout) => {
      // runc: "runc version 1.1.5+ds1"; crun: "crun version 1.8.1"
      const m = err ? null : /version\s+(\S+)/.exec(stdout);
      resolve(m ? `${runtime}://${m[1]}` : undefined);
    });
  });
}
