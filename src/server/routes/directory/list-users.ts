import type { User } from "../../../directory/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { PageOf, pageRequest, pageResponse, SearchPageQuery } from "../../lib/pagination.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { DIRECTORY_SCOPE, toUserDto, UserDto } from "./dto.ts";

/** `hostpass ad user list`. */
export function registerListUsers(app: App, deps: RouteDeps): void {
  app.get(
    "/directory/users",
    {
      config: { permission: { action: "Directory/users/read", scope: DIRECTORY_SCOPE } },
      schema: {
        operationId: "Users_List",
        tags: ["Directory"],
        summary: "List users",
        querystring: SearchPageQuery,
        response: { 200: PageOf(UserDto) },
      },
    },
    async (request) => {
      const page = await deps.directory.listPrincipals(
        principalOf(request).tenantId,
        "user",
        pageRequest(request.query),
        { search: request.query.search },
      );
      return pageResponse(request, page, (p) => toUserDto(p as User));
    },
  );
}
