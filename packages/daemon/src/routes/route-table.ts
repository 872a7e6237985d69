import { Router } from '../http/router.js';
import { addCommitRoutes } from './commit-routes.js';
import { addContainerRoutes } from './container-routes.js';
import { addExecRoutes } from './exec-routes.js';
import { addImageRoutes } from './image-routes.js';
import { addNetworkRoutes } from './network-routes.js';
import { addSystemRoutes } from './system-routes.js';
import { addVolumeRoutes } from './volume-routes.js';

/** The whole Docker API route table berthd serves. */
export function createRouter(): Router {
  const router = new Router();
  addSystemRoutes(router);
  addExecRoutes(router);
  addContainerRoutes(router);
  addImageRoutes(router);
  addNetworkRoutes(router);
  addVolumeRoutes(router);
  addCommitRoutes(router);
  return router;
}
