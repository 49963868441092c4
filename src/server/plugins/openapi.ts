import type { FastifyInstance, RouteOptions } from "fastify";

declare module "fastify" {
  interface FastifyInstance {
    /** Every documented route (method, url) as registered: what /openapi.json is built from. */
    readonly documentedRoutes: readonly { readonly method: string; readonly url: string }[];
  }
  interface FastifySchema {
    /** Leave the route out of the document. */
    hide?: boolean;
    operationId?: string;
    summary?: string;
    tags?: string[];
    /** The media type of the success responses when not JSON (an event stream, a KRL). */
    produces?: string[];
  }
}

interface CollectedRoute {
  readonly method: string;
  readonly url: string;
  readonly schema: Record<string, unknown>;
  readonly isPublic: boolean;
}

type JsonSchema = Record<string, unknown> & { properties?: Record<string, unknown>; required?: string[] };

/**
 * An OpenAPI 3.1 document built from the routes' own schemas, collected by an `onRoute` hook, so
 * the document cannot drift from what the server validates. (A small generator instead of
 * @fastify/swagger: one less dependency, and we only need paths, parameters, bodies, responses.)
 * Must be registered before any route.
 */
export function registerOpenApi(
  app: FastifyInstance,
  info: { title: string; version: string },
  /** Where the collected routes go (the root's `documentedRoutes` when `app` is the API's scope). */
  routes: { method: string; url: string }[] = [],
): void {
  const collected = routes as CollectedRoute[];
  app.addHook("onRoute", (route: RouteOptions) => {
    if (route.schema?.hide === true) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === "HEAD") continue; // Fastify adds HEAD twins of GET routes
      collected.push({
        method: method.toLowerCase(),
        url: route.url,
        schema: (route.schema ?? {}) as Record<string, unknown>,
        isPublic: route.config?.public === true,
      });
    }
  });
  if (!app.hasDecorator("documentedRoutes")) app.decorate("documentedRoutes", collected);
  let document: unknown;
  app.get("/openapi.json", { config: { public: true }, schema: { hide: true } }, async () => {
    document ??= buildDocument(collected, info);
    return document;
  });
}

export function buildDocument(routes: readonly CollectedRoute[], info: { title: string; version: string }) {
  const paths: Record<string, Record<string, unknown>> = Object.create(null);
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[route.method] = operation(route);
  }
  return {
    openapi: "3.1.0",
    info,
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      schemas: { Error: ERROR_SCHEMA },
    },
  };
}

const ERROR_SCHEMA = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: { code: { type: "string", pattern: "^ERR_[A-Z0-9_]+$" }, message: { type: "string" } },
    },
  },
};

function operation(route: CollectedRoute): Record<string, unknown> {
  const { schema } = route;
  const op: Record<string, unknown> = {
    operationId: schema.operationId,
    summary: schema.summary,
    tags: schema.tags,
    parameters: [...parameters(schema.params, "path"), ...parameters(schema.querystring, "query")],
    responses: responses(
      schema.response as Record<string, unknown> | undefined,
      (schema.produces as string[] | undefined)?.[0] ?? "application/json",
    ),
  };
  if (schema.body !== undefined) {
    op.requestBody = { required: true, content: { "application/json": { schema: plain(schema.body) } } };
  }
  op.security = route.isPublic ? [] : [{ bearer: [] }];
  return op;
}

function parameters(schema: unknown, where: "path" | "query"): unknown[] {
  const object = schema as JsonSchema | undefined;
  if (!object?.properties) return [];
  return Object.entries(object.properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === "path" || (object.required ?? []).includes(name),
    schema: plain(property),
  }));
}

function responses(schema: Record<string, unknown> | undefined, mediaType: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [status, body] of Object.entries(schema ?? {})) {
    out[status] =
      status === "204"
        ? { description: "No content" }
        : { description: "OK", content: { [mediaType]: { schema: plain(body) } } };
  }
  out.default = {
    description: "Error",
    content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
  };
  return out;
}

/** TypeBox schemas carry symbol keys; a JSON round trip leaves the plain JSON Schema. */
function plain(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema));
}
