// Node IPAM, as upstream's range allocator (pkg/controller/nodeipam): every node without a
// spec.podCIDR gets the next free block of the cluster's pod range (a /24 of 10.42.0.0/16 by
// default), written as spec.podCIDR and spec.podCIDRs; a deleted node's block goes back to the
// pool. On start the blocks nodes already hold are marked used before anything is handed out,
// so a restart never gives one block to two nodes. A full range is a Warning event
// CIDRNotAvailable on the node; the node gets its block as soon as another node's is released.
import type { Node } from 'kubernetes-types/core/v1';
import { isConflict, isNotFound } from '../client/api-error.ts';
import { involved } from '../client/event-recorder.ts';
import { gvr } from '../client/resources.ts';
import type { ControllerContext } from './context.ts';
import { QueueController, type ReconcileResult } from './queue-controller.ts';

function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

function formatIPv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/**
 * The blocks of one size inside a range and which are taken (upstream's cidrset.CidrSet). Like
 * upstream, the search for a free block starts after the last one handed out, so a block just
 * released (whose routes may linger on other nodes) is the last to be reused.
 */
export class CidrSet {
  private readonly base: number;
  private readonly blockSize: number;
  private readonly used: Uint8Array;
  private nextCandidate = 0;
  private allocated = 0;

  constructor(readonly clusterCIDR: string, readonly maskSize: number) {
    const [ip, bits] = clusterCIDR.split('/');
    const prefix = Number(bits);
    const addr = parseIPv4(ip);
    if (addr === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new Error(`node IPAM: "${clusterCIDR}" is not an IPv4 CIDR`);
    if (maskSize < prefix || maskSize > 32) throw new Error(`node IPAM: node mask size /${maskSize} does not fit in ${clusterCIDR}`);
    if (maskSize - prefix > 24) throw new Error(`node IPAM: ${clusterCIDR} split in /${maskSize} is too many blocks`);
    this.blockSize = 2 ** (32 - maskSize);
    const rangeSize = 2 ** (32 - prefix);
    this.base = addr - (addr % rangeSize);
    this.used = new Uint8Array(2 ** (maskSize - prefix));
  }

  get size(): number {
    return this.used.length;
  }

  get free(): number {
    return this.used.length - this.allocated;
  }

  /** The next free block, or undefined when the range is full. */
  allocateNext(): string | undefined {
    if (this.allocated === this.used.length) return undefined;
    let candidate = this.nextCandidate;
    while (this.used[candidate]) candidate = (candidate + 1) % this.used.length;
    this.nextCandidate = (candidate + 1) % this.used.length;
    this.mark(candidate, true);
    return `${formatIPv4(this.base + candidate * this.blockSize)}/${this.maskSize}`;
  }

  /** Marks a block used; false when it is not a block of this set. */
  occupy(cidr: string): boolean {
    const i = this.indexOf(cidr);
    if (i === undefined) return false;
    this.mark(i, true);
    return true;
  }

  release(cidr: string): void {
    const i = this.indexOf(cidr);
    if (i !== undefined) this.mark(i, false);
  }

  isUsed(cidr: string): boolean {
    const i = this.indexOf(cidr);
    return i !== undefined && this.used[i] === 1;
  }

  private mark(i: number, used: boolean): void {
    if (!!this.used[i] === used) return;
    this.used[i] = used ? 1 : 0;
    this.allocated += used ? 1 : -1;
  }

  private indexOf(cidr: string): number | undefined {
    const [ip, bits] = cidr.split('/');
    const addr = parseIPv4(ip);
    if (addr === undefined || Number(bits) !== this.maskSize) return undefined;
    const offset = addr - this.base;
    if (offset < 0 || offset % this.blockSize !== 0) return undefined;
    const i = offset / this.blockSize;
    return i < this.used.length ? i : undefined;
  }
}

export class NodeIpamController extends QueueController {
  private readonly nodes;
  private readonly cidrs: CidrSet;
  private readonly recorder;
  /** Blocks handed out but maybe not yet in the cache: node name → uid and block. */
  private readonly pending = new Map<string, { uid: string; cidr: string }>();
  /** Nodes that found the range full, retried when a block is released. */
  private readonly waiting = new Set<string>();

  constructor(ctx: ControllerContext) {
    super('node-ipam-controller', ctx, 2);
    this.cidrs = new CidrSet(ctx.config.podCIDR, ctx.config.nodeCIDRMaskSize);
    this.recorder = ctx.recorder('cidrAllocator');
    this.nodes = ctx.informers.informer<Node>(gvr.nodes);
    this.nodes
      .on('add', (n) => { if (!n.spec?.podCIDRs?.length) this.enqueue(n); })
      .on('update', (_o, n) => { if (!n.spec?.podCIDRs?.length || n.metadata?.deletionTimestamp) this.enqueue(n); })
      .on('delete', (n) => this.nodeDeleted(n));
  }

  /** The blocks nodes already have are taken before the workers hand out any. */
  override start(): void {
    for (const node of this.nodes.list()) this.occupyOwn(node);
    super.start();
  }

  async reconcile(name: string): Promise<ReconcileResult> {
    const node = this.nodes.get(name);
    if (!node) return;
    if (node.spec?.podCIDRs?.length) {
      this.occupyOwn(node);
      const p = this.pending.get(name);
      this.pending.delete(name);
      if (p && !node.spec.podCIDRs.includes(p.cidr)) this.release(p.cidr); // someone else set it first
      return;
    }
    if (node.metadata?.deletionTimestamp) return;
    const uid = node.metadata?.uid ?? '';
    let p = this.pending.get(name);
    if (p && p.uid !== uid) {
      this.release(p.cidr);
      p = undefined;
    }
    if (!p) {
      const cidr = this.cidrs.allocateNext();
      if (!cidr) {
        this.waiting.add(name);
        this.recorder.event(involved(node, 'Node', gvr.nodes), 'Warning', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
        return;
      }
      p = { uid, cidr };
      this.pending.set(name, p);
    }
    this.waiting.delete(name);
    await this.assign(name, p);
  }

  private async assign(name: string, p: { uid: string; cidr: string }): Promise<void> {
    try {
      // The uid makes this a precondition: a node deleted and registered again meanwhile is not
      // given the block meant for its predecessor.
      await this.ctx.client.patch(gvr.nodes, undefined, name, { metadata: { uid: p.uid }, spec: { podCIDR: p.cidr, podCIDRs: [p.cidr] } }, 'merge');
    } catch (err) {
      if (isNotFound(err) || isConflict(err) || (err as { status?: number }).status === 422) {
        // Gone, replaced, or given a block by someone else: ours goes back; the next event
        // about the node (or its absence) settles the rest.
        this.pending.delete(name);
        this.release(p.cidr);
        if (isConflict(err)) this.queue.add(name);
        return;
      }
      throw err;
    }
  }

  private nodeDeleted(node: Node): void {
    const name = node.metadata?.name ?? '';
    const p = this.pending.get(name);
    this.pending.delete(name);
    this.waiting.delete(name);
    if (p) this.release(p.cidr);
    for (const cidr of node.spec?.podCIDRs ?? []) this.release(cidr);
  }

  /** Returns a block to the pool unless a node in the cache still holds it. */
  private release(cidr: string): void {
    for (const other of this.nodes.list()) if (other.spec?.podCIDRs?.includes(cidr)) return;
    for (const p of this.pending.values()) if (p.cidr === cidr) return;
    this.cidrs.release(cidr);
    // a freed block may be what a waiting node needs
    for (const name of [...this.waiting].sort()) this.queue.add(name);
  }

  private occupyOwn(node: Node): void {
    const cidr = node.spec?.podCIDRs?.[0] ?? node.spec?.podCIDR;
    if (!cidr || this.cidrs.isUsed(cidr)) return;
    if (!this.cidrs.occupy(cidr)) this.ctx.log(`node-ipam-controller: node ${node.metadata?.name} has podCIDR ${cidr}, outside ${this.cidrs.clusterCIDR}/${this.cidrs.maskSize}: left alone`);
  }
}
