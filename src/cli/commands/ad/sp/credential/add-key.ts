import { readFile } from "node:fs/promises";
import type { CliCommand } from "../../../../command.ts";
import { CliUsageError } from "../../../../errors.ts";
import { findServicePrincipal } from "../../../../lib/directory.ts";
import { parseInteger } from "../../../../lib/parse.ts";
import { openApi } from "../../../../session/api.ts";

/** A JWK, or a JWKS holding exactly one key, from a file. */
async function jwkFrom(file: string): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new CliUsageError(`--jwk-file: ${file} is not a JSON file (${(error as Error).message})`);
  }
  const keys = (parsed as { keys?: unknown }).keys;
  if (Array.isArray(keys)) {
    if (keys.length !== 1) throw new CliUsageError("--jwk-file: a key set must hold exactly one key");
    parsed = keys[0];
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new CliUsageError("--jwk-file: not a JWK object");
  return parsed as Record<string, unknown>;
}

export const adSpCredentialAddKeyCommand: CliCommand<{ id: string; jwkFile: string; years?: string }> = {
  path: ["ad", "sp", "credential", "add-key"],
  summary: "Add a public key (JWK) the service principal authenticates with (private_key_jwt).",
  examples: [
    {
      summary: "Register another hostpass's federation key (its `idp show --query signingKey.publicJwk`).",
      command: "hostpass ad sp credential add-key --id <app-id> --jwk-file downstream.jwk.json",
    },
  ],
  configure(command) {
    command
      .requiredOption("--id <app-or-object-id>", "the service principal")
      .requiredOption("--jwk-file <file>", "a public JWK, or a JWKS with one key")
      .option("--years <n>", "lifetime of the key in years (1-2; default: no end)");
  },
  async run(ctx, args) {
    const years = args.years === undefined ? undefined : parseInteger("--years", args.years, 1, 2);
    const publicKeyJwk = await jwkFrom(args.jwkFile);
    const api = await openApi(ctx);
    const sp = await findServicePrincipal(api, args.id);
    const key = (await api.post(`/directory/servicePrincipals/${sp.id}/keys`, {
      publicKeyJwk,
      ...(years === undefined ? {} : { years }),
    })) as { keyId: string; thumbprint: string; endDateTime?: string };
    return { appId: sp.appId, ...key };
  },
};
