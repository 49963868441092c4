/**
 * `hostpass conditional-access policy|named-location ...`: the service's documents
 * (`/identity/conditionalAccess/{policies,namedLocations}/{id}`), validated by the service.
 */
import type { Command } from "commander";
import type { CliCommand } from "../command.ts";
import { CliUsageError, NoMatchError } from "../errors.ts";
import { openApi } from "../session/api.ts";

export type CaKind = "policy" | "named-location";
const PATHS: Readonly<Record<CaKind, string>> = {
  policy: "/identity/conditionalAccess/policies",
  "named-location": "/identity/conditionalAccess/namedLocations",
};
const ID = /^[A-Za-z0-9._-]{1,128}$/;

function idOf(id: string): string {
  if (!ID.test(id))
    throw new CliUsageError(`--id: ${JSON.stringify(id)} must be 1-128 of letters, digits . _ -`);
  return id;
}

export async function putDocument(
  ctx: Parameters<CliCommand["run"]>[0],
  kind: CaKind,
  id: string,
  doc: unknown,
) {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc))
    throw new CliUsageError("the document must be a JSON object");
  const { id: _ignored, ...body } = doc as Record<string, unknown>;
  return (await openApi(ctx)).put(`${PATHS[kind]}/${idOf(id)}`, body);
}

export function caListCommand(kind: CaKind): CliCommand {
  return {
    path: ["conditional-access", kind, "list"],
    summary: `List conditional access ${kind === "policy" ? "policies" : "named locations"}.`,
    examples: [{ summary: "As a table.", command: `hostpass conditional-access ${kind} list -o table` }],
    configure() {},
    async run(ctx) {
      return ((await (await openApi(ctx)).get(PATHS[kind])) as { value: unknown[] }).value;
    },
  };
}

export function caShowCommand(kind: CaKind): CliCommand<{ id: string }> {
  return {
    path: ["conditional-access", kind, "show"],
    summary: `Show one conditional access ${kind === "policy" ? "policy" : "named location"}.`,
    examples: [
      {
        summary: "Show it.",
        command: `hostpass conditional-access ${kind} show --id ${kind === "policy" ? "require-mfa" : "office"}`,
      },
    ],
    configure: (command: Command) => void command.requiredOption("--id <id>", "its id"),
    async run(ctx, args) {
      const all = ((await (await openApi(ctx)).get(PATHS[kind])) as { value: { id: string }[] }).value;
      const found = all.find((d) => d.id === idOf(args.id));
      if (!found) throw new NoMatchError(`There is no ${kind} with id ${JSON.stringify(args.id)}.`);
      return found;
    },
  };
}

export function caDeleteCommand(kind: CaKind): CliCommand<{ id: string }> {
  return {
    path: ["conditional-access", kind, "delete"],
    summary: `Delete a conditional access ${kind === "policy" ? "policy" : "named location (no policy may use it)"}.`,
    examples: [
      {
        summary: "Delete it.",
        command: `hostpass conditional-access ${kind} delete --id ${kind === "policy" ? "require-mfa" : "office"}`,
      },
    ],
    confirmation: true,
    configure: (command: Command) => void command.requiredOption("--id <id>", "its id"),
    async run(ctx, args) {
      await (await openApi(ctx)).delete(`${PATHS[kind]}/${idOf(args.id)}`);
      return undefined;
    },
  };
}
