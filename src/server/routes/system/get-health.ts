import { Type } from "@fastify/type-provider-typebox";
import { failureCodeOf } from "../../../shared/public-failure.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { actorOf } from "../../plugins/authorize.ts";

/**
 * Who sees the details of `GET /health`: who may read the whole tenant's activity log (Reader,
 * Contributor, Owner at "/"), because the details carry internal error text.
 */
export const HEALTH_DETAILS_ACTION = "Insights/eventtypes/values/read";

/**
 * How long `GET /health` waits for the store's answer to `select 1`: a database that hangs (not
 * only one that refuses) makes the service degraded, and a load balancer's probe is never held up.
 */
export const STORE_CHECK_TIMEOUT_MS = 1000;

const StoreCheck = Type.Object(
  { ok: Type.Boolean(), ms: Type.Integer(), code: Type.Optional(Type.String()) },
  { additionalProperties: false },
);

/** The store answered `select 1` within the timeout; otherwise the code of what happened instead. */
async function checkStore(ping: () => Promise<void>): Promise<{ ok: boolean; ms: number; code?: string }> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), STORE_CHECK_TIMEOUT_MS);
  });
  try {
    const outcome = await Promise.race([ping().then(() => "answered" as const), timedOut]);
    return outcome === "answered"
      ? { ok: true, ms: ms() }
      : { ok: false, ms: ms(), code: "ERR_STORE_TIMEOUT" };
  } catch (error) {
    return { ok: false, ms: ms(), code: failureCodeOf(error) };
  } finally {
    clearTimeout(timer);
  }
}

const LastError = Type.Object({ at: Type.String(), message: Type.String() }, { additionalProperties: false });

const Source = Type.Object(
  {
    source: Type.String(),
    count: Type.Integer(),
    lastAt: Type.String(),
    lastCode: Type.String(),
    lastMessage: Type.String(),
  },
  { additionalProperties: false },
);

/** Liveness only: says nothing about the directory, so it can stay public for load balancers. */
export function registerGetHealth(app: App, deps: RouteDeps): void {
  app.get(
    "/healthz",
    {
      config: { public: true },
      schema: {
        operationId: "Health_Get",
        tags: ["Discovery"],
        summary: "Liveness",
        response: { 200: Type.Object({ status: Type.Literal("ok") }, { additionalProperties: false }) },
      },
    },
    async () => ({ status: "ok" as const }),
  );
  // Readiness: anyone sees `ok` or `degraded` (the store did not answer `select 1` within
  // STORE_CHECK_TIMEOUT_MS, or an error of background work in the last 5 minutes); administrators
  // (a token that may read the tenant's activity log) also see the store's answer (time, code),
  // what failed, how often, and the last error's code and text.
  app.get(
    "/health",
    {
      config: { public: true, authenticateIfPresent: true },
      schema: {
        operationId: "Health_Components",
        tags: ["Discovery"],
        summary:
          "Health of the service's store and background work: status for anyone; the failing parts for administrators",
        response: {
          200: Type.Object(
            {
              status: Type.Union([Type.Literal("ok"), Type.Literal("degraded")]),
              store: Type.Optional(StoreCheck),
              background: Type.Optional(
                Type.Object(
                  { ok: Type.Boolean(), sources: Type.Array(Source) },
                  { additionalProperties: false },
                ),
              ),
              decisions: Type.Optional(
                Type.Object(
                  {
                    freshness: Type.Union([Type.Literal("notices"), Type.Literal("headRead")], {
                      description:
                        "notices: changes committed elsewhere are known from PostgreSQL's change notices (listening, heartbeat heard); headRead: each decision reads the change log's head first",
                    }),
                    heardVersion: Type.Integer({
                      description:
                        "the caller's tenant: the highest change-log version this replica heard of",
                    }),
                    appliedVersion: Type.Integer({
                      description: "the caller's tenant: the change-log version its decisions reflect",
                    }),
                    noticeListens: Type.Integer({
                      description:
                        "how many times this replica's change-notice listener (re)started listening",
                    }),
                  },
                  { additionalProperties: false },
                ),
              ),
              hostChannel: Type.Optional(
                Type.Object(
                  {
                    ok: Type.Boolean(),
                    tenants: Type.Integer(),
                    streams: Type.Integer(),
                    lastError: Type.Optional(LastError),
                  },
                  { additionalProperties: false },
                ),
              ),
            },
            { additionalProperties: false },
          ),
        },
      },
    },
    async (request) => {
      const store = deps.pingStore ? await checkStore(deps.pingStore) : undefined;
      const channel = deps.hostAgents?.channel.health();
      const background = deps.backgroundErrors?.health();
      const ok = (store?.ok ?? true) && (channel?.ok ?? true) && (background?.ok ?? true);
      const status = ok ? ("ok" as const) : ("degraded" as const);
      if (!(await mayReadDetails(deps, request))) return { status };
      const tenantId = request.principal?.tenantId as string;
      const freshness = deps.decisionFreshness?.(tenantId);
      return {
        status,
        ...(store ? { store } : {}),
        ...(background ? { background: { ok: background.ok, sources: [...background.sources] } } : {}),
        ...(freshness
          ? {
              decisions: {
                freshness: freshness.mode,
                heardVersion: freshness.heardVersion,
                appliedVersion: (await deps.rbac(tenantId)).version,
                noticeListens: freshness.listens,
              },
            }
          : {}),
        ...(channel ? { hostChannel: channel } : {}),
      };
    },
  );
}

async function mayReadDetails(deps: RouteDeps, request: Parameters<typeof actorOf>[0]): Promise<boolean> {
  if (!request.principal) return false;
  const engine = await deps.rbac(request.principal.tenantId);
  return (await engine.check(actorOf(request), HEALTH_DETAILS_ACTION, "/")).allowed;
}
