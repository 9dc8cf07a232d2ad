// Tests use the same blackhole routes as `kubelab lab up` (provision/lab/blackhole-routes.ts).
export { addBlackholeRoutes } from '../../../src-main/provision/lab/blackhole-routes.ts';
