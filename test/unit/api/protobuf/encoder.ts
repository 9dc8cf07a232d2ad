// Test helper: encodes Kubernetes protobuf bodies with protobufjs from .proto snippets written
// here from the upstream field numbers, independently of the decoder under test. Like Go's
// marshaller, tests set zero values explicitly where Go would write them.
import protobuf from 'protobufjs';

const snippets: Record<string, string> = {
  'k8s.io.apimachinery.pkg.runtime': `
    message TypeMeta { optional string apiVersion = 1; optional string kind = 2; }
    message Unknown { optional TypeMeta typeMeta = 1; optional bytes raw = 2; optional string contentEncoding = 3; optional string contentType = 4; }
    message RawExtension { optional bytes raw = 1; }`,
  'k8s.io.apimachinery.pkg.api.resource': `message Quantity { optional string string = 1; }`,
  'k8s.io.apimachinery.pkg.util.intstr': `message IntOrString { optional int64 type = 1; optional int32 intVal = 2; optional string strVal = 3; }`,
  'k8s.io.apimachinery.pkg.apis.meta.v1': `
    message Time { optional int64 seconds = 1; optional int32 nanos = 2; }
    message MicroTime { optional int64 seconds = 1; optional int32 nanos = 2; }
    message FieldsV1 { optional bytes Raw = 1; }
    message ManagedFieldsEntry { optional string manager = 1; optional string operation = 2; optional string apiVersion = 3; optional Time time = 4; optional string fieldsType = 6; optional FieldsV1 fieldsV1 = 7; }
    message ObjectMeta {
      optional string name = 1; optional string generateName = 2; optional string namespace = 3;
      optional string uid = 5; optional string resourceVersion = 6; optional int64 generation = 7;
      optional Time creationTimestamp = 8; optional Time deletionTimestamp = 9; optional int64 deletionGracePeriodSeconds = 10;
      map<string, string> labels = 11; map<string, string> annotations = 12; repeated string finalizers = 14;
      repeated ManagedFieldsEntry managedFields = 17;
    }
    message LabelSelectorRequirement { optional string key = 1; optional string operator = 2; repeated string values = 3; }
    message LabelSelector { map<string, string> matchLabels = 1; repeated LabelSelectorRequirement matchExpressions = 2; }
    message Preconditions { optional string uid = 1; optional string resourceVersion = 2; }
    message DeleteOptions { optional int64 gracePeriodSeconds = 1; optional Preconditions preconditions = 2; optional bool orphanDependents = 3; optional string propagationPolicy = 4; repeated string dryRun = 5; }`,
  'k8s.io.api.core.v1': `
    import "k8s.io.apimachinery.pkg.apis.meta.v1";
    message NamespaceSpec { repeated string finalizers = 1; }
    message NamespaceStatus { optional string phase = 1; }
    message Namespace { optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional NamespaceSpec spec = 2; optional NamespaceStatus status = 3; }
    message ContainerPort { optional string name = 1; optional int32 hostPort = 2; optional int32 containerPort = 3; optional string protocol = 4; optional string hostIP = 5; }
    message LocalObjectReference { optional string name = 1; }
    message ConfigMapKeySelector { optional LocalObjectReference localObjectReference = 1; optional string key = 2; optional bool optional = 3; }
    message ObjectFieldSelector { optional string apiVersion = 1; optional string fieldPath = 2; }
    message EnvVarSource { optional ObjectFieldSelector fieldRef = 1; optional ConfigMapKeySelector configMapKeyRef = 3; }
    message EnvVar { optional string name = 1; optional string value = 2; optional EnvVarSource valueFrom = 3; }
    message ResourceRequirements { map<string, k8s.io.apimachinery.pkg.api.resource.Quantity> limits = 1; map<string, k8s.io.apimachinery.pkg.api.resource.Quantity> requests = 2; }
    message HTTPGetAction { optional string path = 1; optional k8s.io.apimachinery.pkg.util.intstr.IntOrString port = 2; optional string scheme = 4; }
    message ProbeHandler { optional HTTPGetAction httpGet = 2; }
    message Probe { optional ProbeHandler handler = 1; optional int32 initialDelaySeconds = 2; optional int32 periodSeconds = 4; }
    message SecurityContext { optional bool privileged = 2; optional int64 runAsUser = 4; optional bool runAsNonRoot = 5; }
    message Container {
      optional string name = 1; optional string image = 2; repeated string command = 3; repeated string args = 4;
      repeated ContainerPort ports = 6; repeated EnvVar env = 7; optional ResourceRequirements resources = 8;
      optional Probe livenessProbe = 10; optional string imagePullPolicy = 14; optional SecurityContext securityContext = 15;
      optional bool stdin = 16; optional bool tty = 18;
    }
    message PodSpec {
      repeated Container containers = 2; optional string restartPolicy = 3; optional int64 terminationGracePeriodSeconds = 4;
      optional string dnsPolicy = 6; map<string, string> nodeSelector = 7; optional bool hostNetwork = 11;
      optional bool automountServiceAccountToken = 21; optional int32 priority = 25;
    }
    message PodStatus { optional string phase = 1; }
    message Pod { optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional PodSpec spec = 2; optional PodStatus status = 3; }
    message PodTemplateSpec { optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional PodSpec spec = 2; }
    message Secret { optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; map<string, bytes> data = 2; optional string type = 3; map<string, string> stringData = 4; optional bool immutable = 5; }
    message ObjectReference { optional string kind = 1; optional string namespace = 2; optional string name = 3; }
    message EventSource { optional string component = 1; optional string host = 2; }
    message Event {
      optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional ObjectReference involvedObject = 2;
      optional string reason = 3; optional EventSource source = 5; optional k8s.io.apimachinery.pkg.apis.meta.v1.Time firstTimestamp = 6;
      optional int32 count = 8; optional k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime eventTime = 10; optional string reportingComponent = 14;
    }`,
  'k8s.io.api.apps.v1': `
    message DeploymentStrategy { optional string type = 1; }
    message DeploymentSpec {
      optional int32 replicas = 1; optional k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector selector = 2;
      optional k8s.io.api.core.v1.PodTemplateSpec template = 3; optional DeploymentStrategy strategy = 4;
      optional int32 minReadySeconds = 5; optional int32 revisionHistoryLimit = 6; optional bool paused = 7;
    }
    message DeploymentStatus { optional int64 observedGeneration = 1; optional int32 replicas = 2; }
    message Deployment { optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional DeploymentSpec spec = 2; optional DeploymentStatus status = 3; }`,
  'k8s.io.api.batch.v1': `
    message PodFailurePolicyOnExitCodesRequirement { optional string containerName = 1; optional string operator = 2; repeated int32 values = 3; }
    message PackedExitCodes { optional string containerName = 1; optional string operator = 2; repeated int32 values = 3 [packed = true]; }`,
  'k8s.io.api.policy.v1': `
    message Eviction { optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions deleteOptions = 2; }`,
};

const root = new protobuf.Root();
for (const [pkg, body] of Object.entries(snippets)) {
  protobuf.parse(`syntax = "proto2"; package ${pkg};\n${body.replace(/import "[^"]*";/g, '')}`, root, { keepCase: true });
}
root.resolveAll();

/** Encodes `value` as message `type` (full name) — just the message, no envelope. */
export function encodeMessage(type: string, value: Record<string, unknown>): Buffer {
  const t = root.lookupType(type);
  return Buffer.from(t.encode(t.fromObject(value)).finish());
}

/** A whole request body: magic + runtime.Unknown around the message. */
export function encodeBody(apiVersion: string, kind: string, type: string, value: Record<string, unknown>, envelope: Record<string, unknown> = {}): Buffer {
  const raw = encodeMessage(type, value);
  const unknown = encodeMessage('k8s.io.apimachinery.pkg.runtime.Unknown', { typeMeta: { apiVersion, kind }, raw, ...envelope });
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), unknown]);
}
