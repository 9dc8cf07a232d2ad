// Pod IPs of a hollow node: host addresses of its podCIDR once node IPAM gave it one (.1 is the
// bridge's, as on a real node), else of 198.19.0.0/16, a benchmark range that is never routed.
import { isIP } from 'node:net';

function toInt(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function toIP(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export class PodIPs {
  private next = 0;
  private readonly inUse = new Set<string>();

  /** A free address; cidr is the node's podCIDR (IPv4) or undefined. */
  take(cidr: string | undefined): string {
    const [base, bits] = cidr && isIP(cidr.split('/')[0]) === 4 ? cidr.split('/') : ['198.19.0.0', '16'];
    const size = 2 ** (32 - Number(bits));
    const first = toInt(base);
    for (let tries = 0; tries < size; tries++) {
      this.next = (this.next % (size - 3)) + 1; // 2 … size-2: skip network, .1 and broadcast
      const ip = toIP(first + this.next + 1);
      if (!this.inUse.has(ip)) {
        this.inUse.add(ip);
        return ip;
      }
    }
    throw new Error(`no free pod address in ${base}/${bits}`);
  }

  release(ip: string): void {
    this.inUse.delete(ip);
  }

  /** Marks an address taken (a pod already running when the fleet started). */
  keep(ip: string): void {
    this.inUse.add(ip);
  }
}
