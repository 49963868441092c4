/** Reads the activity log by time range, actor, target, action or correlation id, newest first. */
import { InvalidAuditInputError } from "./errors.ts";
import type { AuditRepository } from "./repository.ts";
import type { AuditEvent, AuditQuery, Page, PageRequest } from "./types.ts";

export const MAX_PAGE_SIZE = 1000;

export async function queryAuditEvents(
  repo: AuditRepository,
  filter: AuditQuery,
  page: PageRequest,
): Promise<Page<AuditEvent>> {
  if (!Number.isInteger(page.limit) || page.limit < 1 || page.limit > MAX_PAGE_SIZE) {
    throw new InvalidAuditInputError(`page size must be 1 to ${MAX_PAGE_SIZE}`);
  }
  if (page.cursor !== undefined && !/^[1-9][0-9]{0,15}$/.test(page.cursor)) {
    throw new InvalidAuditInputError("invalid page cursor");
  }
  for (const d of [filter.from, filter.to]) {
    if (d !== undefined && !(d instanceof Date && Number.isFinite(d.getTime()))) {
      throw new InvalidAuditInputError("time range bounds must be valid dates");
    }
  }
  if (typeof filter.tenantId !== "string" || filter.tenantId.length === 0) {
    throw new InvalidAuditInputError("a tenant is required");
  }
  return repo.query(filter, page);
}
