/**
 * Creating a machine the way the seed's portal does it: one form, "login with directory
 * identity" ticked by default, which is two API calls (the machine with a system-assigned
 * identity, then the SSH login extension), followed on the machine's page until the extension's
 * provisioning state is final. Also the two actions of an existing machine's page.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import { parseResourceId } from "../../../resources/index.ts";
import {
  LOGIN_EXTENSION_NAME,
  LOGIN_EXTENSION_PUBLISHER,
  SEED_EXIT_CODES,
} from "../../../shared/well-known.ts";
import { field } from "../../lib/forms.ts";
import { html } from "../../lib/html.ts";
import { type AdminPage, adminGet, adminPost, leaveNotice } from "../lib/admin-route.ts";
import { type AdminContext, ApiError } from "../lib/api-client.ts";
import { FINAL_STATES, type MachineView } from "../lib/api-types.ts";
import { idFromPath, linksFor } from "../lib/links.ts";
import { noticeOf } from "../views/frame.ts";
import { crumbsFor, machineForm } from "../views/resources.ts";

const FIELDS = ["name", "image", "size", "adminUsername", "privateIp"] as const;

const wildcard = (request: { params: unknown }) => idFromPath((request.params as { "*": string })["*"]);

export function registerCreateMachine(app: FastifyInstance, ctx: AdminContext): void {
  adminGet(app, ctx, "/create-machine/*", async (page, request, reply) => {
    const group = parseResourceId(wildcard(request));
    return formPage(page, reply, group.id, {}, true, 200);
  });

  adminPost(app, ctx, "/create-machine/*", async (page, request, reply) => {
    const group = parseResourceId(wildcard(request));
    const values = Object.fromEntries(FIELDS.map((f) => [f, field(request, f).trim()]));
    const login = field(request, "login") === "on";
    if (group.kind !== "resourceGroup")
      return formPage(page, reply, group.id, values, login, 400, "Machines are created in a resource group.");
    const machineId = `${group.id}/providers/Compute/virtualMachines/${values.name ?? ""}`;
    try {
      await page.api.call({ method: "PUT", path: pathOf(machineId), body: machineBody(values, login) });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return formPage(
        page,
        reply,
        group.id,
        values,
        login,
        error.status,
        `The machine was not created: ${error.message}`,
      );
    }
    const created = `Virtual machine ${values.name} created.`;
    if (!login) {
      await leaveNotice(ctx, page.api, { tone: "success", text: created });
    } else {
      await enableLogin(ctx, page, machineId, created);
    }
    return reply.redirect(linksFor(page.base).resource(machineId), 303);
  });

  adminPost(app, ctx, "/assign-identity/*", async (page, request, reply) => {
    const machine = parseResourceId(wildcard(request));
    try {
      await page.api.call({ method: "POST", path: `${pathOf(machine.id)}/identity` });
      await leaveNotice(ctx, page.api, {
        tone: "success",
        text: "A system-assigned managed identity was assigned.",
      });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      await leaveNotice(ctx, page.api, {
        tone: "error",
        text: `The identity was not assigned: ${error.message}`,
      });
    }
    return back(reply, page, machine.id);
  });

  // A host the service did not start itself (no local provider) joins with a one-time code: the
  // command is shown once, with a copy button, like any secret a change makes.
  adminPost(app, ctx, "/join-code/*", async (page, request, reply) => {
    const machine = parseResourceId(wildcard(request));
    try {
      const made = await page.api.call<{ joinCommand: string; expiresAt: string }>({
        method: "POST",
        path: `${pathOf(machine.id)}/joinCode`,
      });
      await leaveNotice(ctx, page.api, {
        tone: "success",
        text: `A join code for ${machine.name} was made: it works once, until ${made.expiresAt.replace("T", " ").replace(/\.\d+Z$|Z$/, " UTC")}.`,
        secret: { label: "Run this as root on the host:", value: made.joinCommand },
      });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      await leaveNotice(ctx, page.api, {
        tone: "error",
        text: `No join code was made: ${error.message}`,
      });
    }
    return back(reply, page, machine.id);
  });

  adminPost(app, ctx, "/enable-login/*", async (page, request, reply) => {
    const machine = parseResourceId(wildcard(request));
    await enableLogin(ctx, page, machine.id, "");
    return back(reply, page, machine.id);
  });

  /** For the page's script: the login extension's state while it is provisioning. */
  adminGet(app, ctx, "/status/*", async (page, request, reply) => {
    const machine = await page.api.get<MachineView>(pathOf(parseResourceId(wildcard(request)).id));
    const pending = machine.extensions.find((e) => !FINAL_STATES.has(e.provisioningState));
    const state = pending?.provisioningState ?? "Done";
    return reply.type("application/json").send({ state, final: pending === undefined });
  });
}

function pathOf(id: string): string {
  return id
    .split("/")
    .map((s) => encodeURIComponent(s))
    .join("/");
}

function machineBody(values: Readonly<Record<string, string>>, login: boolean) {
  const privateIp = values.privateIp ?? "";
  return {
    image: values.image ?? "",
    adminUsername: values.adminUsername ?? "",
    ...(values.size ? { size: values.size } : {}),
    ...(privateIp ? { networkInterfaces: [{ name: "nic0", privateIp }] } : {}),
    assignIdentity: login,
  };
}

/** The extension request; a refusal (the seed's exit 22 / 23 cases) is shown in the seed's words. */
async function enableLogin(
  ctx: AdminContext,
  page: AdminPage,
  machineId: string,
  before: string,
): Promise<void> {
  const path = `${pathOf(machineId)}/extensions/${LOGIN_EXTENSION_NAME}`;
  const body = { publisher: LOGIN_EXTENSION_PUBLISHER, type: LOGIN_EXTENSION_NAME };
  try {
    const extension = await page.api.call<{ provisioningState: string }>({ method: "PUT", path, body });
    const state = extension.provisioningState;
    const text =
      `${before} Login with directory identity: ${state === "Succeeded" ? "enabled" : state}.`.trim();
    await leaveNotice(ctx, page.api, { tone: state === "Failed" ? "error" : "success", text });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const exit = SEED_EXIT_CODES[error.code];
    const text = `${before} Login with directory identity failed${exit === undefined ? "" : ` (exit code ${exit})`}: ${error.message}`;
    await leaveNotice(ctx, page.api, { tone: "error", text: text.trim() });
  }
}

function back(reply: FastifyReply, page: AdminPage, id: string): FastifyReply {
  return reply.redirect(linksFor(page.base).resource(id), 303);
}

function formPage(
  page: AdminPage,
  reply: FastifyReply,
  groupId: string,
  values: Readonly<Record<string, string>>,
  login: boolean,
  status: number,
  error?: string,
): string {
  const id = parseResourceId(groupId);
  const body = html`${error === undefined ? "" : noticeOf({ tone: "error", text: error })}${machineForm({ base: page.base, csrf: page.csrf, resourceGroupId: groupId, values, login })}`;
  const crumbs = [
    ...crumbsFor(page.base, id),
    [id.name, linksFor(page.base).resource(id.id)] as [string, string],
  ];
  reply.code(status);
  return page.render("resources", "Create a virtual machine", body, { crumbs });
}
