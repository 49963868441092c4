import { Type } from "@fastify/type-provider-typebox";
import type { App } from "../../app.ts";
import type { SshServices } from "../../deps.ts";
import { CaKeyDto, Purpose, SSH_ADMIN_SCOPE, toCaKeyDto } from "./dto.ts";

/**
 * `GET /ssh/ca/keys` (`hostpass ssh ca show`): every CA key with its state in the rotation and its
 * fingerprint, user CA first. Public keys only; `GET /ssh/ca` is the trust list hosts read.
 */
export function registerListCaKeys(app: App, ssh: SshServices): void {
  app.get(
    "/ssh/ca/keys",
    {
      config: { permission: { action: "Ssh/certificateAuthorities/read", scope: SSH_ADMIN_SCOPE } },
      schema: {
        operationId: "SshCaKeys_List",
        tags: ["SSH"],
        summary: "CA keys with their rotation state and fingerprints",
        querystring: Type.Object({ purpose: Type.Optional(Purpose) }, { additionalProperties: false }),
        response: { 200: Type.Object({ value: Type.Array(CaKeyDto) }, { additionalProperties: false }) },
      },
    },
    async (request) => {
      const { purpose } = request.query;
      const records = (await ssh.caKeys.list()).filter((r) => purpose === undefined || r.purpose === purpose);
      const order = (p: string) => (p === "user" ? 0 : 1);
      return { value: [...records].sort((a, b) => order(a.purpose) - order(b.purpose)).map(toCaKeyDto) };
    },
  );
}
