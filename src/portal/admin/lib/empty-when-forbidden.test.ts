import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiError, emptyWhenForbidden } from "./api-client.ts";

test("a side list the user may not read is empty; any other failure is not hidden", async () => {
  const list = (error: unknown) => Promise.reject(error).catch(emptyWhenForbidden);
  assert.deepEqual(await list(new ApiError(403, "ERR_AUTHORIZATION_FAILED", "no")), { value: [] });
  await assert.rejects(list(new ApiError(500, "ERR_INTERNAL", "internal error")), { status: 500 });
  await assert.rejects(list(new ApiError(503, "ERR_STORE_UNAVAILABLE", "down")), { status: 503 });
  await assert.rejects(list(new TypeError("bug")), TypeError);
});
