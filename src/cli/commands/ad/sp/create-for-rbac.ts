/**
 * `hostpass ad sp create-for-rbac`: a service principal with a client secret (shown once), and
 * optionally a role at one or more scopes, as az prints it: `{ appId, displayName, password, tenant }`.
 */
import { randomUUID } from "node:crypto";
import type { CliCommand } from "../../../command.ts";
import { CliUsageError } from "../../../errors.ts";
import { parseInteger } from "../../../lib/parse.ts";
import { scopePath } from "../../../lib/resource-paths.ts";
import { openApi } from "../../../session/api.ts";

interface Args {
  readonly name?: string;
  readonly role?: string;
  readonly scopes?: string[];
  readonly years?: string;
}

export const adSpCreateForRbacCommand: CliCommand<Args> = {
  path: ["ad", "sp", "create-for-rbac"],
  summary: "Create a service principal with a secret, and optionally assign it a role.",
  examples: [
    {
      summary: "Automation that may log in to the machines of a resource group.",
      command:
        'hostpass ad sp create-for-rbac -n deploy-bot --role "Virtual Machine User Login" --scopes /subscriptions/<id>/resourceGroups/LinuxVMs',
    },
  ],
  configure(command) {
    command
      .option("-n, --name <name>", "display name (default: hostpass-<date>)")
      .option("--role <name-or-id>", "a role to assign at --scopes")
      .option("--scopes <scope...>", "scopes of the role assignment")
      .option("--years <n>", "lifetime of the secret in years (1-2)", "1");
  },
  async run(ctx, args) {
    if ((args.role === undefined) !== (args.scopes === undefined))
      throw new CliUsageError("--role and --scopes go together");
    const years = parseInteger("--years", args.years ?? "1", 1, 2);
    for (const scope of args.scopes ?? [])
      if (!scope.startsWith("/"))
        throw new CliUsageError(`--scopes: ${JSON.stringify(scope)} must start with /`);
    const api = await openApi(ctx);
    const displayName = args.name ?? `hostpass-${new Date().toISOString().replace(/[:.]/g, "-")}`;
    const sp = (await api.post("/directory/servicePrincipals", { displayName })) as {
      id: string;
      appId: string;
    };
    const secret = (await api.post(`/directory/servicePrincipals/${sp.id}/secrets`, { years })) as {
      secretText: string;
    };
    for (const scope of args.scopes ?? []) {
      await api.put(`${scopePath(scope)}/providers/Authorization/roleAssignments/${randomUUID()}`, {
        role: args.role,
        assignee: sp.id,
        principalType: "ServicePrincipal",
      });
    }
    if (!ctx.globals.onlyShowErrors)
      ctx.stderr.write(
        "The output includes credentials that you must protect. Do not include them in your source control.\n",
      );
    return {
      appId: sp.appId,
      displayName,
      password: secret.secretText,
      tenant: api.session.account.tenantId,
    };
  },
};
