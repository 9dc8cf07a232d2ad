// `kubectl get nodes.metrics.k8s.io` / `podmetrics`: the server-side Table metrics-server prints
// (Name, CPU, Memory, Window; a pod's usage summed over its containers). `kubectl top` reads
// JSON and does not need it.
import type { OutputForm } from '../../api/handlers/output.ts';
import { parseQuantity, formatQuantity, type Quantity } from '../../util/quantity.ts';
import type { MetricsObject, ResourceUsage } from './objects.ts';

const columns = [
  { name: 'Name', type: 'string', format: 'name', description: 'Name of the resource', priority: 0 },
  { name: 'CPU', type: 'string', format: '', description: 'CPU usage', priority: 0 },
  { name: 'Memory', type: 'string', format: '', description: 'Memory usage', priority: 0 },
  { name: 'Window', type: 'string', format: '', description: 'Interval over which the usage was measured', priority: 0 },
];

function sum(values: string[], format: Quantity['format']): string {
  let nanos = 0n;
  for (const v of values) nanos += parseQuantity(v).nanos;
  return formatQuantity({ nanos, format });
}

function usageOf(obj: MetricsObject): ResourceUsage {
  if (obj.usage) return obj.usage;
  const containers = obj.containers ?? [];
  return {
    cpu: sum(containers.map((c) => c.usage.cpu), 'DecimalSI'),
    memory: sum(containers.map((c) => c.usage.memory), 'BinarySI'),
  };
}

export function metricsTable(objects: MetricsObject[], form: Extract<OutputForm, { kind: 'table' }>, kind: string): Record<string, unknown> {
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${form.version}`,
    metadata: {},
    columnDefinitions: columns,
    rows: objects.map((obj) => {
      const u = usageOf(obj);
      const row: Record<string, unknown> = { cells: [obj.metadata.name, u.cpu, u.memory, obj.window] };
      if (form.include === 'Metadata') row.object = { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${form.version}`, metadata: obj.metadata };
      else if (form.include === 'Object') row.object = { kind, apiVersion: 'metrics.k8s.io/v1beta1', ...obj };
      return row;
    }),
  };
}
