/**
 * The one route list: the API serves these routes (app.ts builds its router from them) and
 * documents exactly these in /openapi.json (openapi.ts). A mounted route is served by another
 * package's router, which app.ts refuses to mount unless every route it has is listed here.
 */
import { alertRoutes } from "./alerts.ts";
import { decisionRoutes } from "./decisions.ts";
import { incidentRoutes } from "./incidents.ts";
import { logRoutes } from "./logs.ts";
import { operationRoutes, reportRoute } from "./operations.ts";
import { patternRoutes } from "./patterns.ts";
import type { ApiRoute, MountedRoute } from "./route.ts";
import { suppressionRoutes } from "./suppressions.ts";
import { whitelistRoutes } from "./whitelist.ts";

export const API_ROUTES: readonly ApiRoute[] = [
  ...logRoutes,
  ...alertRoutes,
  ...incidentRoutes,
  ...patternRoutes,
  ...whitelistRoutes,
  ...suppressionRoutes,
  ...decisionRoutes,
  ...operationRoutes,
];

export const MOUNTED_ROUTES: readonly MountedRoute[] = [reportRoute];

export const DOCUMENTED_ROUTES: readonly (ApiRoute | MountedRoute)[] = [...API_ROUTES, ...MOUNTED_ROUTES];
