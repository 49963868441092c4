import type { CliCommand } from "../../../../command.ts";
import { findServicePrincipal } from "../../../../lib/directory.ts";
import { parseInteger } from "../../../../lib/parse.ts";
import { openApi } from "../../../../session/api.ts";

export const adSpCredentialResetCommand: CliCommand<{ id: string; years: string }> = {
  path: ["ad", "sp", "credential", "reset"],
  summary: "Add a new client secret to a service principal (shown once).",
  examples: [
    {
      summary: "A new secret for two years.",
      command: "hostpass ad sp credential reset --id <app-id> --years 2",
    },
  ],
  configure(command) {
    command
      .requiredOption("--id <app-or-object-id>", "the service principal")
      .option("--years <n>", "lifetime of the secret in years (1-2)", "1");
  },
  async run(ctx, args) {
    const years = parseInteger("--years", args.years, 1, 2);
    const api = await openApi(ctx);
    const sp = await findServicePrincipal(api, args.id);
    const secret = (await api.post(`/directory/servicePrincipals/${sp.id}/secrets`, { years })) as {
      secretText: string;
      endDateTime: string;
    };
    return {
      appId: sp.appId,
      password: secret.secretText,
      tenant: api.session.account.tenantId,
      endDateTime: secret.endDateTime,
    };
  },
};
