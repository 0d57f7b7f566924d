/**
 * A route of the API, described once: method, path, who may call it, the zod schemas of its
 * request and answers, and its handler. The koa router is built from these descriptions and
 * /openapi.json is generated from them (openapi.ts), so a route cannot exist undocumented, requests
 * are validated by the schemas the document shows, and a handler cannot return a body its
 * documented schema does not allow (the handler's return type is the schema's type).
 */
import Router from "@koa/router";
import type { Context, Middleware } from "koa";
import type { Counter } from "prom-client";
import type { z } from "zod";
import { requireRole, type Role } from "../auth.ts";
import { readJsonBody } from "../body.ts";
import type { DecisionStore } from "../decisions/store.ts";
import type { ApiDeps } from "../deps.ts";

/** `public`: no key needed; `any-key`: any valid key, whatever its role; otherwise the role needed. */
export type Access = "public" | "any-key" | Role;

export type Method = "get" | "post" | "patch" | "delete";

/** Error answers a handler itself gives; those implied by access and request are added by openapi.ts. */
export type HandlerErrorStatus = 404 | 409 | 503;

export interface SuccessResponse<R extends z.ZodType> {
  status?: 200 | 201;
  description: string;
  /** Schema of the body; serialized as JSON unless contentType says otherwise. */
  schema?: R;
  contentType?: string;
  headers?: z.ZodObject;
}

export interface RequestBody<B extends z.ZodType> {
  schema: B;
  description?: string;
  /** Also accepted as NDJSON, one value of this schema per line. */
  ndjsonLine?: z.ZodType;
  /** Parses the body instead of `schema.parse`, where a more specific schema gives a clearer 400. */
  parse?: (body: unknown) => z.output<B>;
}

/** What the documentation needs of a route; another package's router may serve it (MountedRoute). */
export interface RouteDescription<
  R extends z.ZodType = z.ZodType,
  Q extends z.ZodObject | undefined = z.ZodObject | undefined,
  P extends z.ZodObject | undefined = z.ZodObject | undefined,
  B extends z.ZodType | undefined = z.ZodType | undefined,
> {
  method: Method;
  /** OpenAPI path template: `/alerts/{alert_id}`. */
  path: `/${string}`;
  operationId: string;
  tag: string;
  summary: string;
  access: Access;
  query?: Q;
  params?: P;
  body?: B extends z.ZodType ? RequestBody<B> : undefined;
  response: SuccessResponse<R>;
  /** Another answer than an error, with the success schema (e.g. /readyz's 503). */
  alternative?: { status: number; description: string };
  errors?: readonly HandlerErrorStatus[];
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface ParsedRequest<Q, P, B> {
  query: Parsed<Q>;
  params: Parsed<P>;
  body: Parsed<B>;
}

/** What handlers reach besides the request. */
export interface RouteEnv {
  deps: ApiDeps;
  logsAccepted: Counter;
  /** deps.decisions, or the in-memory store createApp made in its place. */
  decisions: DecisionStore;
}

export interface ApiRoute<
  R extends z.ZodType = z.ZodType,
  Q extends z.ZodObject | undefined = z.ZodObject | undefined,
  P extends z.ZodObject | undefined = z.ZodObject | undefined,
  B extends z.ZodType | undefined = z.ZodType | undefined,
> extends RouteDescription<R, Q, P, B> {
  /** Returns the success body; may set headers, or ctx.status to the route's alternative. */
  handle(request: ParsedRequest<Q, P, B>, ctx: Context, env: RouteEnv): z.input<R> | Promise<z.input<R>>;
}

/** A documented route that a router of another package serves (mounted through ApiDeps.readRoutes). */
export type MountedRoute = RouteDescription & { handle?: never };

/** Types the handler against its schemas; the result joins the route list untyped. */
export function defineRoute<
  R extends z.ZodType,
  Q extends z.ZodObject | undefined = undefined,
  P extends z.ZodObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(route: ApiRoute<R, Q, P, B>): ApiRoute {
  return route as unknown as ApiRoute;
}

/** `/alerts/{alert_id}` → `/alerts/:alert_id`. */
export const koaPath = (path: string): string => path.replace(/\{(\w+)\}/g, ":$1");

const passThrough: Middleware = (_ctx, next) => next();

export const accessGuard = (access: Access): Middleware => (access === "public" ? passThrough : requireRole(access));

async function parseRequest(
  route: ApiRoute,
  ctx: Context,
  maxBodyBytes: number,
): Promise<ParsedRequest<z.ZodObject, z.ZodObject, z.ZodType>> {
  const query = route.query?.parse(ctx.query);
  const params = route.params?.parse((ctx as { params?: unknown }).params);
  let body: unknown;
  if (route.body !== undefined) {
    const raw = await readJsonBody(ctx, maxBodyBytes);
    body = route.body.parse !== undefined ? route.body.parse(raw) : route.body.schema.parse(raw);
  }
  return { query, params, body } as ParsedRequest<z.ZodObject, z.ZodObject, z.ZodType>;
}

/** One koa router serving the routes: access first, then the request's validation, then the handler. */
export function routerOf(routes: readonly ApiRoute[], env: RouteEnv): Router {
  const router = new Router();
  for (const route of routes) {
    const serve: Middleware = async (ctx) => {
      const request = await parseRequest(route, ctx, env.deps.maxBodyBytes);
      ctx.status = route.response.status ?? 200;
      const body: unknown = await route.handle(request, ctx, env);
      ctx.body = body;
    };
    router.register(koaPath(route.path), [route.method], [accessGuard(route.access), serve], {
      name: route.operationId,
    });
  }
  return router;
}
