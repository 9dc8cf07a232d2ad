import { describe, expect, it } from 'vitest';
import { parseRequestInfo } from '../../../src-main/api/request-info.ts';

const q = (s = '') => new URLSearchParams(s);

describe('parseRequestInfo', () => {
  it.each([
    ['GET', '/api/v1/pods', '', { verb: 'list', group: '', version: 'v1', resource: 'pods', namespace: undefined, name: undefined }],
    ['GET', '/api/v1/namespaces/ns/pods/p/log', '', { verb: 'get', resource: 'pods', namespace: 'ns', name: 'p', subresource: 'log' }],
    ['GET', '/api/v1/namespaces/ns/pods', 'watch=true', { verb: 'watch', namespace: 'ns' }],
    ['GET', '/api/v1/watch/namespaces/ns/pods', '', { verb: 'watch', namespace: 'ns', resource: 'pods' }],
    ['GET', '/api/v1/namespaces/ns', '', { verb: 'get', resource: 'namespaces', name: 'ns', namespace: undefined }],
    ['PUT', '/api/v1/namespaces/ns/finalize', '', { verb: 'update', resource: 'namespaces', name: 'ns', subresource: 'finalize' }],
    ['PATCH', '/api/v1/namespaces/ns/status', '', { verb: 'patch', resource: 'namespaces', name: 'ns', subresource: 'status' }],
    ['POST', '/apis/apps/v1/namespaces/ns/deployments', '', { verb: 'create', group: 'apps', version: 'v1', resource: 'deployments' }],
    ['DELETE', '/apis/apps/v1/namespaces/ns/deployments', '', { verb: 'deletecollection' }],
    ['DELETE', '/apis/apps/v1/namespaces/ns/deployments/d', '', { verb: 'delete', name: 'd' }],
    ['GET', '/api/v1/nodes/n%3A1', '', { verb: 'get', resource: 'nodes', name: 'n:1' }],
  ])('%s %s?%s', (method, path, query, expected) => {
    expect(parseRequestInfo(method, path, q(query))).toMatchObject({ kind: 'resource', ...expected });
  });

  it.each(['/api', '/apis', '/apis/apps', '/apis/apps/v1', '/version', '/api/v1/namespaces/default/configmaps/..'])('%s is not a resource request', (path) => {
    expect(parseRequestInfo('GET', path, q()).kind).toBe('other');
  });
});
