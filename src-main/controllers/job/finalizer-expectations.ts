// The pods whose tracking finalizer the controller removed but whose update the informer has
// not shown yet (upstream's uidTrackingExpectations). Such a pod still has the finalizer in the
// cache; without this, the next sync would count it a second time.
export class FinalizerExpectations {
  private readonly byJob = new Map<string, Set<string>>();

  expectRemoved(jobKey: string, uids: readonly string[]): void {
    let set = this.byJob.get(jobKey);
    if (!set) this.byJob.set(jobKey, (set = new Set()));
    for (const uid of uids) set.add(uid);
  }

  observed(jobKey: string, uid: string): void {
    const set = this.byJob.get(jobKey);
    if (!set) return;
    set.delete(uid);
    if (set.size === 0) this.byJob.delete(jobKey);
  }

  expected(jobKey: string): ReadonlySet<string> {
    return this.byJob.get(jobKey) ?? new Set();
  }

  delete(jobKey: string): void {
    this.byJob.delete(jobKey);
  }
}
