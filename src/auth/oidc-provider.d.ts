/**
 * The small part of oidc-provider 9 that hostpass uses. The package ships no types; these are
 * written from its sources (lib/provider.js, lib/helpers/errors.js) and kept loose where hostpass
 * only passes values through.
 */
declare module "oidc-provider" {
  import type { IncomingMessage, ServerResponse } from "node:http";

  export interface OidcEntities {
    readonly Client?: OidcClient;
    readonly Account?: { readonly accountId: string; readonly [key: string]: unknown };
    readonly AuthorizationCode?: OidcTokenLike;
    readonly RefreshToken?: OidcTokenLike;
    readonly DeviceCode?: OidcTokenLike;
    readonly [key: string]: unknown;
  }

  export interface OidcTokenLike {
    readonly jti: string;
    readonly accountId?: string;
    readonly grantId?: string;
    readonly clientId?: string;
    readonly amr?: readonly string[];
    readonly acr?: string;
    readonly authTime?: number;
    readonly scope?: string;
    readonly params?: Readonly<Record<string, unknown>>;
    readonly deviceInfo?: Readonly<Record<string, unknown>>;
    readonly [key: string]: unknown;
  }

  export interface OidcClient {
    readonly clientId: string;
    readonly clientName?: string;
    readonly clientAuthMethod: string;
    readonly [key: string]: unknown;
  }

  export interface OidcRequestContext {
    readonly session?: { readonly accountId?: string };
    readonly route?: string;
    readonly client?: OidcClient;
    readonly account?: { readonly accountId: string; readonly [key: string]: unknown };
    readonly entities: OidcEntities;
    readonly params?: Readonly<Record<string, unknown>>;
    urlFor(name: string, options?: Readonly<Record<string, unknown>>): string;
  }

  /** The Koa context oidc-provider passes to configuration functions and middleware. */
  export interface KoaContextWithOIDC {
    readonly ip: string;
    readonly path: string;
    readonly method: string;
    readonly headers: Readonly<Record<string, string | string[] | undefined>>;
    status: number;
    body: unknown;
    type: string;
    readonly oidc: OidcRequestContext;
    set(field: string, value: string): void;
  }

  export type Middleware = (ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void>;

  export interface InteractionDetails {
    readonly uid: string;
    readonly prompt: {
      readonly name: string;
      readonly reasons: readonly string[];
      readonly details: unknown;
    };
    readonly params: Readonly<Record<string, unknown>>;
    readonly session?: { readonly accountId?: string; readonly uid?: string };
    readonly grantId?: string;
    readonly returnTo: string;
    readonly deviceCode?: string;
    readonly [key: string]: unknown;
  }

  export interface GrantInstance {
    readonly jti: string;
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: readonly string[]): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  }

  export interface GrantModel {
    new (properties: { accountId: string; clientId: string }): GrantInstance;
    find(id: string): Promise<GrantInstance | undefined>;
  }

  export interface ModelClass {
    find(id: string, options?: Readonly<Record<string, unknown>>): Promise<OidcTokenLike | undefined>;
    findByUserCode?(
      userCode: string,
      options?: Readonly<Record<string, unknown>>,
    ): Promise<OidcTokenLike | undefined>;
    [key: string]: unknown;
  }

  export interface InteractionInstance {
    result?: Readonly<Record<string, unknown>>;
    readonly exp: number;
    readonly returnTo: string;
    save(ttlSeconds: number): Promise<string>;
  }

  export interface InteractionModel {
    find(uid: string): Promise<InteractionInstance | undefined>;
  }

  export interface ReplayDetectionModel {
    unique(iss: string, jti: string, exp: number): Promise<boolean>;
  }

  export interface ClientModel {
    find(id: string): Promise<OidcClient | undefined>;
    readonly prototype: { compareClientSecret(this: OidcClient, actual: string): Promise<boolean> | boolean };
  }

  export class Provider {
    constructor(issuer: string, configuration?: Readonly<Record<string, unknown>>);
    readonly issuer: string;
    proxy: boolean;
    readonly Client: ClientModel;
    readonly Grant: GrantModel;
    readonly DeviceCode: ModelClass;
    readonly Interaction: InteractionModel;
    readonly ReplayDetection: ReplayDetectionModel;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    use(middleware: Middleware): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionResult(
      req: IncomingMessage,
      res: ServerResponse,
      result: Readonly<Record<string, unknown>>,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<string>;
    static get ctx(): KoaContextWithOIDC | undefined;
  }

  export class OIDCProviderError extends Error {
    readonly error: string;
    readonly status: number;
    readonly statusCode: number;
    error_description?: string;
    constructor(status: number, message: string);
  }

  type OidcErrorClass = new (description?: string) => OIDCProviderError;

  export const errors: {
    readonly OIDCProviderError: typeof OIDCProviderError;
    readonly CustomOIDCProviderError: new (error: string, description?: string) => OIDCProviderError;
    readonly InvalidGrant: OidcErrorClass;
    readonly InvalidClientAuth: OidcErrorClass;
    readonly InvalidRequest: OidcErrorClass;
    readonly SlowDown: OidcErrorClass;
    readonly AccessDenied: OidcErrorClass;
    readonly InvalidDpopProof: OidcErrorClass;
  };

  export class Check {
    constructor(
      reason: string,
      description: string,
      check: (ctx: KoaContextWithOIDC) => boolean | Promise<boolean>,
    );
    static readonly REQUEST_PROMPT: true;
    static readonly NO_NEED_TO_PROMPT: false;
  }

  export interface PromptPolicy {
    readonly name: string;
    readonly checks: Check[] & { add(check: Check, index?: number): void };
  }

  export const interactionPolicy: {
    readonly Check: typeof Check;
    base(): PromptPolicy[] & { get(name: string): PromptPolicy | undefined };
  };

  export default Provider;
}
