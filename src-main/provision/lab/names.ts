// How a lab is laid out on the machine: names of its bridge, namespaces and links, and its
// addresses. Everything a lab creates is named after the lab, so removal can find it again
// even when the state file is gone.
import { join } from 'node:path';

/** Kernel interface names have at most 15 characters (IFNAMSIZ - 1). */
const IFNAME_MAX = 15;
const LAB_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
/** `kv<lab>-<i>` must fit IFNAME_MAX with a two-digit index. */
export const LAB_NAME_MAX = IFNAME_MAX - 'kv'.length - '-99'.length;
export const MAX_HOSTS = 99;
/** The benchmark range (RFC 2544): never a real network, so a lab cannot shadow one. */
export const subnetOf = (index: number): string => `198.18.${index}.0/24`;

export interface HostLayout {
  index: number;
  /** Its name within the lab. */
  name: string;
  hostname: string;
  address: string;
  netns: string;
  /** The veth end on the machine, in the bridge (the host's end is eth0). */
  veth: string;
  dir: string;
}

export interface LabLayout {
  lab: string;
  bridge: string;
  subnetIndex: number;
  gateway: string;
  /** The tag of the lab's iptables rules. */
  ruleComment: string;
  hosts: HostLayout[];
}

/** Why a lab name is not usable, or undefined when it is. */
export function labNameProblem(lab: string): string | undefined {
  if (!LAB_NAME.test(lab)) return `lab name "${lab}" must be lower-case letters, digits and '-', starting and ending with a letter or digit`;
  if (lab.length > LAB_NAME_MAX) return `lab name "${lab}" is longer than ${LAB_NAME_MAX} characters (it names network interfaces, which have at most 15)`;
  return undefined;
}

export const bridgeName = (lab: string): string => `klab-${lab}`;
export const netnsPrefix = (lab: string): string => `klab-${lab}-`;
export const vethPrefix = (lab: string): string => `kv${lab}-`;
/** `<prefix><digits>`: lab "a" must never take lab "a-1"'s `klab-a-1-0` for its own. */
const indexed = (prefix: string, name: string): boolean => name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length));
export const isLabNetns = (lab: string, name: string): boolean => indexed(netnsPrefix(lab), name);
export const isLabLink = (lab: string, name: string): boolean => name === bridgeName(lab) || indexed(vethPrefix(lab), name);
export const ruleComment = (lab: string): string => `kubelab-lab:${lab}`;
export const statePath = (lab: string, dir: string): string => join(dir, `${lab}.lab.json`);

export function labLayout(lab: string, dir: string, subnetIndex: number, count: number): LabLayout {
  const prefix = `198.18.${subnetIndex}`;
  const hosts = Array.from({ length: count }, (_, index): HostLayout => ({
    index,
    name: `node-${index}`,
    hostname: `${lab}-node-${index}`,
    address: `${prefix}.${10 + index}`,
    netns: `${netnsPrefix(lab)}${index}`,
    veth: `${vethPrefix(lab)}${index}`,
    dir: join(dir, `${lab}-node-${index}`),
  }));
  return { lab, bridge: bridgeName(lab), subnetIndex, gateway: `${prefix}.1`, ruleComment: ruleComment(lab), hosts };
}
