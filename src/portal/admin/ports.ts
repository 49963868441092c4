/**
 * What the administration pages need from the server they run in: a way to send an HTTP request
 * to that same server (the management API and the token endpoint), handled in process. Every
 * administrative action is an ordinary API call with the signed-in user's access token, so it
 * passes the same authentication, RBAC and activity log as the CLI's; the portal has no other
 * way in.
 */

export interface LocalRequest {
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path and query, e.g. `/subscriptions?top=50`. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** The browser's address, so the API's logs name the person's machine, not the portal. */
  readonly remoteAddress: string;
}

export interface LocalResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | number | undefined>>;
  readonly body: string;
}

export type LocalHttp = (request: LocalRequest) => Promise<LocalResponse>;

export interface AdminDeps {
  readonly http: LocalHttp;
  /** The portal's OAuth client id at the authorization server. */
  readonly clientId: string;
  /** The authorization server's path on this origin (`/oauth2`). */
  readonly oauthPath: string;
  /** The exact issuer (`https://host:port/oauth2`): the `iss` every authorization response must carry. */
  readonly issuer: () => string;
}
