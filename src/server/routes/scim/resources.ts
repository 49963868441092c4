/** `/scim/v2/Users` and `/scim/v2/Groups`: create, get, list with filter and paging, replace, patch, delete. */
import { Type } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import {
  createScimGroup,
  createScimUser,
  deleteScimGroup,
  deleteScimUser,
  getScimGroup,
  getScimUser,
  type ListQuery,
  listScimGroups,
  listScimUsers,
  patchScimGroup,
  patchScimUser,
  replaceScimGroup,
  replaceScimUser,
  type ScimContext,
  ScimInvalidValueError,
  type ScimResource,
} from "../../../federation/index.ts";
import type { App } from "../../app.ts";
import type { ChangeRepositories } from "../../deps.ts";
import { revokedForAudit, setEnabledEndingSessions } from "../../lib/sessions.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { SCIM_BODY_LIMIT, type ScimDeps } from "./index.ts";

const Id = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
/** Other query parameters are ignored (RFC 7644 leaves room for providers' own). */
const Query = Type.Object(
  {
    filter: Type.Optional(Type.String({ maxLength: 4096 })),
    startIndex: Type.Optional(Type.String({ maxLength: 12 })),
    count: Type.Optional(Type.String({ maxLength: 12 })),
    attributes: Type.Optional(Type.String({ maxLength: 1024 })),
    excludedAttributes: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { additionalProperties: true },
);
const Projection = Type.Pick(Query, ["attributes", "excludedAttributes"]);

type Kind = "User" | "Group";

const OPS = {
  User: {
    get: getScimUser,
    list: listScimUsers,
    create: createScimUser,
    replace: replaceScimUser,
    patch: patchScimUser,
    remove: deleteScimUser,
  },
  Group: {
    get: getScimGroup,
    list: listScimGroups,
    create: createScimGroup,
    replace: replaceScimGroup,
    patch: patchScimGroup,
    remove: deleteScimGroup,
  },
} as const;

export function registerScimResources(app: App, deps: ScimDeps): void {
  for (const kind of ["User", "Group"] as const) register(app, deps, kind);
}

function register(app: App, deps: ScimDeps, kind: Kind): void {
  const ops = OPS[kind];
  const path = `/${kind}s`;
  /** The activity log's action (audit.ts takes the operation id when there is no permission). */
  const act = (verb: string) => `Directory/scim/${kind.toLowerCase()}s/${verb}`;
  const readCtx = (request: FastifyRequest): ScimContext => ({
    tenantId: principalOf(request).tenantId,
    directory: deps.directory,
    federation: deps.federation,
    now: new Date(),
    baseUrl: deps.baseUrl(),
  });
  /** A change: one transaction with its activity-log event; disabling ends sessions and certificates. */
  const change = <T>(
    request: FastifyRequest,
    work: (ctx: ScimContext, note: (target: string, details?: Record<string, unknown>) => void) => Promise<T>,
  ) =>
    inChange(request, deps, async (tx: ChangeRepositories, note) => {
      const tenantId = principalOf(request).tenantId;
      const now = new Date();
      const revoked: bigint[] = [];
      const ctx: ScimContext = {
        tenantId,
        directory: tx.directory,
        federation: tx.federation ?? deps.federation,
        now,
        baseUrl: deps.baseUrl(),
        setEnabled: async (id, enabled) => {
          const ended = await setEnabledEndingSessions(tx, { tenantId, id, kind: "user", enabled }, now);
          revoked.push(...ended.certificatesRevoked);
        },
      };
      let target = "";
      let details: Record<string, unknown> = {};
      const result = await work(ctx, (t, d) => {
        target = t;
        details = d ?? {};
      });
      note(target, { ...details, ...revokedForAudit(revoked) });
      return result;
    });

  app.get(path, { schema: { operationId: act("read"), querystring: Query } }, async (request) => {
    const q = request.query;
    const query: ListQuery = {
      ...(q.filter === undefined ? {} : { filter: q.filter }),
      ...(q.startIndex === undefined ? {} : { startIndex: integer(q.startIndex, "startIndex") }),
      ...(q.count === undefined ? {} : { count: integer(q.count, "count") }),
    };
    const list = await ops.list(readCtx(request), query);
    list.Resources = (list.Resources as ScimResource[]).map((r) => project(r, q));
    return list;
  });

  app.get(
    `${path}/:id`,
    { schema: { operationId: act("read"), params: Id, querystring: Projection } },
    async (request) => project(await ops.get(readCtx(request), request.params.id), request.query),
  );

  app.post(
    path,
    { schema: { operationId: act("write") }, bodyLimit: SCIM_BODY_LIMIT },
    async (request, reply) => {
      const created = await change(request, async (ctx, note) => {
        const r = await ops.create(ctx, request.body);
        note(r.id as string, summary(r));
        return r;
      });
      return reply
        .code(201)
        .header("location", (created.meta as { location: string }).location)
        .send(created);
    },
  );

  for (const [method, op] of [
    ["PUT", ops.replace],
    ["PATCH", ops.patch],
  ] as const) {
    app.route({
      method,
      url: `${path}/:id`,
      schema: { operationId: act("write"), params: Id },
      bodyLimit: SCIM_BODY_LIMIT,
      handler: async (request) =>
        change(request, async (ctx, note) => {
          const r = await op(ctx, request.params.id, request.body);
          note(r.id as string, summary(r));
          return r;
        }),
    });
  }

  app.delete(
    `${path}/:id`,
    { schema: { operationId: act("delete"), params: Id } },
    async (request, reply) => {
      await change(request, async (ctx, note) => {
        const gone = await ops.remove(ctx, request.params.id);
        note(gone.id, { displayName: gone.displayName });
      });
      return reply.code(204).send();
    },
  );
}

/** What the activity log keeps of a SCIM write: names and state, never the whole body. */
function summary(r: ScimResource): Record<string, unknown> {
  return {
    via: "scim",
    ...(r.userName === undefined ? {} : { userName: r.userName }),
    displayName: r.displayName,
    ...(r.active === undefined ? {} : { active: r.active }),
    ...(r.externalId === undefined ? {} : { externalId: r.externalId }),
    ...(Array.isArray(r.members) ? { members: r.members.length } : {}),
  };
}

function integer(text: string, what: string): number {
  if (!/^-?[0-9]{1,9}$/.test(text)) throw new ScimInvalidValueError(`${what} must be an integer`);
  return Number(text);
}

/**
 * `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5), on top-level attributes and extension
 * URNs; `id`, `schemas` and `meta` are always returned.
 */
function project(
  resource: ScimResource,
  q: { attributes?: string; excludedAttributes?: string },
): ScimResource {
  const names = (text: string) =>
    new Set(
      text
        .split(",")
        .map((n) => n.trim().toLowerCase())
        .filter((n) => n.length > 0)
        .map((n) => (n.startsWith("urn:") ? n : (n.split(".")[0] ?? n))),
    );
  const always = new Set(["id", "schemas", "meta"]);
  if (q.attributes !== undefined) {
    const keep = names(q.attributes);
    return Object.fromEntries(
      Object.entries(resource).filter(([k]) => always.has(k) || keep.has(k.toLowerCase())),
    );
  }
  if (q.excludedAttributes !== undefined) {
    const drop = names(q.excludedAttributes);
    return Object.fromEntries(
      Object.entries(resource).filter(([k]) => always.has(k) || !drop.has(k.toLowerCase())),
    );
  }
  return resource;
}
