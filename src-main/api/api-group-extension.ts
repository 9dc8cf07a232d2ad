// API groups served beside the registry's stored kinds, as kube-aggregator serves an APIService
// (metrics.k8s.io from metrics-server): the group shows in discovery like any other, requests for
// it pass the same authentication and authorisation, and then the group answers them itself.
// Kubelab's metrics API is one (src-main/metrics/api).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UserInfo } from '../auth/authenticator.ts';
import type { ResourceRequest } from './request-info.ts';

export interface APIGroupRequest {
  req: IncomingMessage;
  res: ServerResponse;
  info: ResourceRequest;
  query: URLSearchParams;
  user: UserInfo;
}

export interface APIGroupExtension {
  /** The group's name ("metrics.k8s.io"). */
  readonly name: string;
  /** Served versions, preferred first. */
  readonly versions: readonly string[];
  /** The APIResourceList of one of the versions (discovery). */
  resourceList(version: string): Record<string, unknown>;
  /** Answers an authorised resource request for this group (any version, served or not). */
  handle(request: APIGroupRequest): Promise<void>;
}

function groupEntry(ext: APIGroupExtension): Record<string, unknown> {
  const versions = ext.versions.map((v) => ({ groupVersion: `${ext.name}/${v}`, version: v }));
  return { name: ext.name, versions, preferredVersion: versions[0] };
}

/** The APIGroupList with the extension groups after the built-in ones (their priority is lower). */
export function withExtensionGroups(list: Record<string, unknown>, extensions: readonly APIGroupExtension[]): Record<string, unknown> {
  if (extensions.length === 0) return list;
  return { ...list, groups: [...(list.groups as unknown[]), ...extensions.map(groupEntry)] };
}

/** /apis/{group} of an extension group. */
export function extensionGroup(ext: APIGroupExtension): Record<string, unknown> {
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(ext) };
}

export function findExtension(extensions: readonly APIGroupExtension[] | undefined, group: string): APIGroupExtension | undefined {
  return group ? extensions?.find((e) => e.name === group) : undefined;
}
