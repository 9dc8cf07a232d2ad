// The objects the bench writes: a realistic small Pod (what a Deployment's pod template usually
// is) and ConfigMaps whose data makes the stored object about 1 KiB.

export function podBody(name: string, i: number): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'bench-web', shard: String(i % 16) } },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'registry.example/bench/web:1.27.3',
          ports: [{ name: 'http', containerPort: 8080 }],
          resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
        },
      ],
    },
  });
}

export function configMapBody(name: string, i: number, payloadBytes = 0): string {
  const data: Record<string, string> = { index: String(i), owner: 'kubelab-bench' };
  // Varied rather than repeated text, so nothing downstream can win by compressing it.
  if (payloadBytes > 0) data.payload = filler(i, payloadBytes);
  return JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { bench: 'fill' } }, data });
}

function filler(seed: number, bytes: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let x = (seed * 2654435761) >>> 0 || 1;
  let s = '';
  for (let k = 0; k < bytes; k++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    s += alphabet[x % alphabet.length];
  }
  return s;
}

export function namespaceBody(name: string): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}
