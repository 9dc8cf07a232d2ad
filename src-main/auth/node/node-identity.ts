// Which node a user is, as upstream's NodeIdentifier: system:node:<name> in the group
// system:nodes. The node authorizer and the NodeRestriction admission both ask.
import type { UserInfo } from '../authenticator.ts';
import { NODE_USER_PREFIX, NODES_GROUP } from '../join-protocol.ts';

/** The node's name ('' when the user name has none), or undefined for a user that is no node. */
export function nodeIdentity(user: UserInfo): string | undefined {
  if (!user.groups.includes(NODES_GROUP) || !user.name.startsWith(NODE_USER_PREFIX)) return undefined;
  return user.name.slice(NODE_USER_PREFIX.length);
}
