import { Option } from "commander";
import type { CliCommand } from "../../../command.ts";
import { putDocument } from "../../../lib/conditional-access.ts";
import { readJsonArgument } from "../../../lib/parse.ts";

export const conditionalAccessPolicyCreateCommand: CliCommand<{
  id: string;
  policy: string;
  state?: string;
}> = {
  path: ["conditional-access", "policy", "create"],
  summary: "Create or replace a conditional access policy for Linux VM Sign-In (a JSON document).",
  examples: [
    {
      summary: "Require MFA for every user's Linux VM sign-in, in report-only mode first.",
      command:
        'hostpass conditional-access policy create --id require-mfa --state enabledForReportingButNotEnforced --policy \'{"name": "Require MFA", "assignments": {"users": {"include": "All"}, "applications": {"include": "All"}}, "grantControls": {"operator": "OR", "controls": ["mfa"]}}\'',
    },
    {
      summary: "From a file.",
      command: "hostpass conditional-access policy create --id every-10-minutes --policy @policy.json",
    },
  ],
  configure(command) {
    command
      .requiredOption("--id <id>", "the policy's id")
      .requiredOption("--policy <json-or-@file>", "the policy document: JSON, or @file")
      .addOption(
        new Option("--state <state>", "overrides the document's state").choices([
          "enabled",
          "disabled",
          "enabledForReportingButNotEnforced",
        ]),
      );
  },
  async run(ctx, args) {
    const doc = (await readJsonArgument("--policy", args.policy)) as Record<string, unknown>;
    const withState = args.state && doc && typeof doc === "object" ? { ...doc, state: args.state } : doc;
    return putDocument(ctx, "policy", args.id, withState);
  },
};
