// The upstream schemas compiled into a small tree that the field checks walk on every write:
// each definition is compiled once (lazily, shared by every kind that uses it) into struct,
// map, array and scalar nodes, with the Go type names kube-apiserver's JSON decoder puts in
// its error messages ("v1.Container", "[]v1.ContainerPort", "map[string]string", "int32").
import { definitionNameFor, openAPIDocument, type Schema } from './spec.ts';

export type ScalarType = 'string' | 'integer' | 'number' | 'boolean' | 'int-or-string' | 'quantity' | 'bytes';

export type FieldNode =
  | { kind: 'struct'; goType: string; structName: string; fields: Map<string, FieldNode> }
  | { kind: 'map'; goType: string; values: FieldNode }
  | { kind: 'array'; goType: string; items: FieldNode }
  | { kind: 'scalar'; goType: string; type: ScalarType; bits?: 32 | 64 }
  /** Free-form content (RawExtension, FieldsV1, untyped objects): anything goes. */
  | { kind: 'any'; goType: string };

const DEFINITIONS = '#/definitions/';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.Time';
const MICRO_TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime';

const compiled = new Map<string, FieldNode>();

/** 'io.k8s.api.apps.v1.DeploymentSpec' -> 'v1.DeploymentSpec', as Go prints the type. */
function goTypeOfDefinition(name: string): string {
  const parts = name.split('.');
  return parts.slice(-2).join('.');
}

/** The compiled node of a definition; recursive definitions share the node being built. */
export function definitionNode(name: string): FieldNode {
  const existing = compiled.get(name);
  if (existing) return existing;
  const goType = goTypeOfDefinition(name);
  if (name === INT_OR_STRING) return remember(name, { kind: 'scalar', goType, type: 'int-or-string' });
  if (name === QUANTITY) return remember(name, { kind: 'scalar', goType, type: 'quantity' });
  // Time and MicroTime decode their JSON into a plain string first, so a wrong JSON type is
  // reported against `string`.
  if (name === TIME || name === MICRO_TIME) return remember(name, { kind: 'scalar', goType: 'string', type: 'string' });
  const schema = openAPIDocument().definitions[name];
  if (!schema) return remember(name, { kind: 'any', goType });
  if (schema.properties) {
    // Registered before its fields are compiled, so that a field referring back to this
    // definition (JSONSchemaProps, for one) finds it instead of recursing forever.
    const node: FieldNode = { kind: 'struct', goType, structName: goType.split('.').pop() as string, fields: new Map() };
    compiled.set(name, node);
    for (const [field, sub] of Object.entries(schema.properties)) node.fields.set(field, schemaNode(sub));
    return node;
  }
  return remember(name, schemaNode(schema, goType));
}

function remember(name: string, node: FieldNode): FieldNode {
  compiled.set(name, node);
  return node;
}

/** A property or item schema as a node. goType names a definition's own type when known. */
function schemaNode(schema: Schema, goType?: string): FieldNode {
  if (schema.$ref) return definitionNode(schema.$ref.slice(DEFINITIONS.length));
  switch (schema.type) {
    case 'string':
      if (schema.format === 'byte') return { kind: 'scalar', goType: goType ?? '[]uint8', type: 'bytes' };
      if (schema.format === 'int-or-string') return { kind: 'scalar', goType: goType ?? 'intstr.IntOrString', type: 'int-or-string' };
      return { kind: 'scalar', goType: goType ?? 'string', type: 'string' };
    case 'integer': {
      const bits = schema.format === 'int32' ? 32 : 64;
      return { kind: 'scalar', goType: goType ?? `int${bits}`, type: 'integer', bits };
    }
    case 'number':
      return { kind: 'scalar', goType: goType ?? 'float64', type: 'number' };
    case 'boolean':
      return { kind: 'scalar', goType: goType ?? 'bool', type: 'boolean' };
    case 'array': {
      const items = schema.items ? schemaNode(schema.items) : ({ kind: 'any', goType: 'interface {}' } as const);
      return { kind: 'array', goType: goType ?? `[]${items.goType}`, items };
    }
    case 'object':
    default: {
      const ap = schema.additionalProperties;
      if (ap && typeof ap === 'object') {
        const values = schemaNode(ap);
        return { kind: 'map', goType: goType ?? `map[string]${values.goType}`, values };
      }
      return { kind: 'any', goType: goType ?? 'map[string]interface {}' };
    }
  }
}

/** The compiled root node of a kind, or undefined when upstream has no schema for it. */
export function kindNode(group: string, version: string, kind: string): FieldNode | undefined {
  const name = definitionNameFor(group, version, kind);
  return name ? definitionNode(name) : undefined;
}
